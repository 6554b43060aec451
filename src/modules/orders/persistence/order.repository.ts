import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Types, type ClientSession, type Model } from 'mongoose';
import { WRITE_CONNECTION } from '../../../shared/persistence/connections.js';
import type { WriteBatch } from '../../../shared/persistence/write-batch.js';
import { Order, type OrderState } from '../domain/order.aggregate.js';
import { orderAlreadyExists, orderNotFound, orderVersionConflict } from '../orders.errors.js';
import { ORDERS, type OrderDoc } from './order.schema.js';

const toDec128 = (s: string): Types.Decimal128 => new Types.Decimal128(s);
const fromDec128 = (d: Types.Decimal128): string => d.toString();

export function toDoc(s: Readonly<OrderState>): OrderDoc {
  return {
    orderId: s.orderId,
    customerId: s.customerId,
    items: s.items.map((i) => ({
      productId: i.productId,
      sku: i.sku,
      name: i.name,
      quantity: i.quantity,
      priceAtOrder: toDec128(i.priceAtOrder),
      subtotal: toDec128(i.subtotal),
    })),
    subtotal: toDec128(s.subtotal),
    tax: toDec128(s.tax),
    shipping: toDec128(s.shipping),
    total: toDec128(s.total),
    currency: s.currency,
    status: s.status,
    shippingAddressId: s.shippingAddressId,
    billingAddressId: s.billingAddressId,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    version: s.version,
  };
}

export function toState(d: OrderDoc): OrderState {
  return {
    orderId: d.orderId,
    customerId: d.customerId,
    items: d.items.map((i) => ({
      productId: i.productId,
      sku: i.sku,
      name: i.name,
      quantity: i.quantity,
      priceAtOrder: fromDec128(i.priceAtOrder),
      subtotal: fromDec128(i.subtotal),
    })),
    subtotal: fromDec128(d.subtotal),
    tax: fromDec128(d.tax),
    shipping: fromDec128(d.shipping),
    total: fromDec128(d.total),
    currency: d.currency,
    status: d.status,
    shippingAddressId: d.shippingAddressId,
    billingAddressId: d.billingAddressId,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    version: d.version,
  };
}

const isDuplicateKey = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 11000;

/** Loads and saves Order aggregates in the caller's transaction. */
@Injectable()
export class OrderRepository {
  constructor(@InjectModel(ORDERS, WRITE_CONNECTION) private readonly orders: Model<OrderDoc>) {}

  /** The order, or ORDERS.NOT_FOUND. Ids are compared with $eq: a non-string never becomes an operator. */
  async load(orderId: string, session: ClientSession): Promise<Order> {
    const doc = await this.orders
      .findOne({ orderId: { $eq: String(orderId) } })
      .session(session)
      .lean<OrderDoc>()
      .exec();
    if (!doc) throw orderNotFound(orderId);
    return Order.fromState(toState(doc));
  }

  /**
   * The products of an order, read outside any transaction (none if there is no such order). An
   * order's lines never change, so commands use this to queue on those products (KeyedMutex)
   * before their transaction starts.
   */
  async productIdsOf(orderId: string): Promise<string[]> {
    const doc = await this.orders
      .findOne({ orderId: { $eq: String(orderId) } }, { _id: 0, 'items.productId': 1 })
      .lean<Pick<OrderDoc, 'items'>>()
      .exec();
    return doc ? doc.items.map((i) => i.productId) : [];
  }

  /** Stages the insert of a newly placed order in the transaction's write batch (409 if it exists). */
  stageInsert(order: Order, writes: WriteBatch): void {
    writes.insertOne(ORDERS, { ...toDoc(order.state) }, () => orderAlreadyExists(order.id));
  }

  /**
   * Stages the save of a changed order, guarded by the version it was loaded at (see `save`): a
   * non-match (possible only outside a snapshot transaction) is a 409 ORDERS.VERSION_CONFLICT.
   */
  stageSave(order: Order, loadedVersion: number, writes: WriteBatch): void {
    const s = order.state;
    writes.updateOne(
      ORDERS,
      { orderId: s.orderId, version: loadedVersion },
      { $set: { status: s.status, updatedAt: s.updatedAt, version: s.version } },
      () => orderVersionConflict(s.orderId, loadedVersion, s.version),
    );
  }

  /** Inserts a newly placed order (version 1). */
  async insert(order: Order, session: ClientSession): Promise<void> {
    try {
      await this.orders.create([toDoc(order.state)], { session });
    } catch (e) {
      if (isDuplicateKey(e)) throw orderAlreadyExists(order.id);
      throw e;
    }
  }

  /**
   * Saves a changed order if it is still at the version it was loaded at. Inside a snapshot
   * transaction a concurrent writer makes the driver retry the whole command (write conflict);
   * the guard is what keeps this correct without one (and states the rule).
   */
  async save(order: Order, loadedVersion: number, session: ClientSession): Promise<void> {
    const s = order.state;
    const res = await this.orders
      .updateOne(
        { orderId: { $eq: s.orderId }, version: { $eq: loadedVersion } },
        { $set: { status: s.status, updatedAt: s.updatedAt, version: s.version } },
        { session },
      )
      .exec();
    if (res.matchedCount === 0) {
      const current = await this.orders
        .findOne({ orderId: { $eq: s.orderId } }, { version: 1 })
        .session(session)
        .lean<Pick<OrderDoc, 'version'>>()
        .exec();
      if (!current) throw orderNotFound(s.orderId);
      throw orderVersionConflict(s.orderId, loadedVersion, current.version);
    }
  }
}
