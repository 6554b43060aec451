/**
 * Read access to the orders read models (READ_CONNECTION, db app_read) for the query handlers and
 * the read-your-writes wait. Reads only `orders_read` and `orders_summary`; never the write model.
 * Every query excludes order documents whose placement has not been projected yet.
 */
import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Collection, Filter, Sort } from 'mongodb';
import type { Connection } from 'mongoose';
import { READ_CONNECTION } from '../../../shared/persistence/connections.js';
import type { OrdersReadDoc } from '../projections/orders-read/orders-read.evolve.js';
import { ORDERS_READ } from '../projections/orders-read/orders-read.projection.js';
import type { OrdersSummaryDoc } from '../projections/orders-summary/orders-summary.evolve.js';
import {
  ORDERS_SUMMARY,
  ORDERS_SUMMARY_FACTS,
} from '../projections/orders-summary/orders-summary.projection.js';

/** Only documents with their placement applied are orders a query may see. */
export const PLACED: Filter<OrdersReadDoc> = { 'lastSyncedFrom.writeModelVersion': { $gte: 1 } };

const HIDDEN = { _rev: 0, searchText: 0 } as const;

@Injectable()
export class OrdersReadRepository {
  constructor(@InjectConnection(READ_CONNECTION) private readonly connection: Connection) {}

  private get orders(): Collection<OrdersReadDoc> {
    return this.connection.collection<OrdersReadDoc>(ORDERS_READ) as unknown as Collection<OrdersReadDoc>;
  }

  private get summaries(): Collection<OrdersSummaryDoc> {
    return this.connection.collection<OrdersSummaryDoc>(
      ORDERS_SUMMARY,
    ) as unknown as Collection<OrdersSummaryDoc>;
  }

  findOrder(filter: Filter<OrdersReadDoc>): Promise<OrdersReadDoc | null> {
    return this.orders.findOne({ $and: [PLACED, filter] }, { projection: HIDDEN });
  }

  async page(
    filter: Filter<OrdersReadDoc>,
    sort: Sort,
    limit: number,
    offset: number,
  ): Promise<{ items: OrdersReadDoc[]; total: number }> {
    const f: Filter<OrdersReadDoc> = { $and: [PLACED, filter] };
    const [items, total] = await Promise.all([
      this.orders.find(f, { projection: HIDDEN }).sort(sort).skip(offset).limit(limit).toArray(),
      this.orders.countDocuments(f),
    ]);
    return { items, total };
  }

  /** Full-text search: best text score first, then newest. */
  async search(
    filter: Filter<OrdersReadDoc>,
    q: string | undefined,
    limit: number,
    offset: number,
  ): Promise<{ items: OrdersReadDoc[]; total: number }> {
    if (q === undefined) return this.page(filter, { createdAt: -1, _id: 1 }, limit, offset);
    const f: Filter<OrdersReadDoc> = { $and: [PLACED, filter, { $text: { $search: q } }] };
    const [items, total] = await Promise.all([
      this.orders
        .find(f, { projection: { ...HIDDEN, score: { $meta: 'textScore' } } })
        .sort({ score: { $meta: 'textScore' }, createdAt: -1, _id: 1 })
        .skip(offset)
        .limit(limit)
        .toArray(),
      this.orders.countDocuments(f),
    ]);
    return { items, total };
  }

  /** The version of the order the read model reflects (0: not projected, or not `ownedBy`'s). */
  async orderVersion(orderId: string, ownedBy?: string): Promise<number> {
    const d = await this.orders.findOne(
      ownedBy === undefined ? { _id: orderId } : { _id: orderId, 'customer.customerId': ownedBy },
      { projection: { 'lastSyncedFrom.writeModelVersion': 1 } },
    );
    return d?.lastSyncedFrom?.writeModelVersion ?? 0;
  }

  /**
   * Whether `orders_summary` reflects this order version: its fact has the placement and a status of
   * at least that version, and the day's summary has been recomputed from that fact state.
   */
  async summaryReflects(orderId: string, version: number): Promise<boolean> {
    const f = await this.connection
      .collection<{
        _id: string;
        day: string | null;
        statusVersion: number;
        _rev: number;
        summarizedRev?: number;
      }>(ORDERS_SUMMARY_FACTS)
      .findOne({ _id: orderId }, { projection: { day: 1, statusVersion: 1, _rev: 1, summarizedRev: 1 } });
    return f !== null && f.day !== null && f.statusVersion >= version && (f.summarizedRev ?? 0) >= f._rev;
  }

  findSummary(day: string): Promise<OrdersSummaryDoc | null> {
    return this.summaries.findOne({ _id: day }, { projection: { stamp: 0, computedAt: 0 } });
  }
}
