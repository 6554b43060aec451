/**
 * The `orders_read` projection: loads and saves; every decision is in `orders-read.evolve.ts`.
 *
 * Owned collections (read db): `orders_read` (the read model), `orders_read_customers` and
 * `orders_read_products` (the latest merged customer / product state the orders embed).
 *
 * - Order event: evolve the order (version guard inside) and save it over the revision it was
 *   computed from. A placement embeds the current refs and, after the insert, re-reads them, so a
 *   customer / product change that fanned out while the order was being inserted is not missed.
 * - Customer / product event: merge it into the ref, then fan out the ref's state to the orders
 *   whose embedded copy is older (the query selects only those; each document is saved guarded).
 *   The fan-out runs even when the ref did not change, so a retry after a crash between the two
 *   steps completes it.
 *
 * Cache keys invalidated: `orders:<orderId>`, `customer-orders:<customerId>`, `orders-search`.
 */
import type { Collection, Filter } from 'mongodb';
import {
  EventOutOfOrderError,
  type Projection,
  type ProjectionCollection,
  type ProjectionContext,
  type StoredEvent,
} from '../../../../shared/projections/projection.js';
import { updateGuarded, withoutRev, type Stored } from '../guarded-save.js';
import {
  CUSTOMER_EVENT_TYPES,
  ORDERS_READ_HANDLES,
  ORDER_EVENT_TYPES,
  PRODUCT_EVENT_TYPES,
  embedCustomer,
  embedProduct,
  evolveCustomerRef,
  evolveOrder,
  evolveProductRef,
  productStamp,
  type CustomerRef,
  type OrdersReadDoc,
  type ProductRef,
} from './orders-read.evolve.js';

export const ORDERS_READ = 'orders_read';
export const ORDERS_READ_CUSTOMERS = 'orders_read_customers';
export const ORDERS_READ_PRODUCTS = 'orders_read_products';

export const ORDERS_READ_COLLECTIONS: readonly ProjectionCollection[] = [
  {
    name: ORDERS_READ,
    indexes: [
      { key: { 'customer.customerId': 1, createdAt: -1 }, options: { name: 'customer_createdAt' } },
      { key: { 'customer.customerId': 1, 'amounts.total': -1 }, options: { name: 'customer_total' } },
      { key: { status: 1, createdAt: -1 }, options: { name: 'status_createdAt' } },
      { key: { createdAt: -1 }, options: { name: 'createdAt' } },
      { key: { 'amounts.total': 1 }, options: { name: 'total' } },
      { key: { 'items.productId': 1 }, options: { name: 'items_productId' } },
      { key: { searchText: 'text' }, options: { name: 'searchText_text', default_language: 'english' } },
    ],
    verifyIgnore: ['_rev', 'lastSyncedFrom.syncedAt'],
  },
  { name: ORDERS_READ_CUSTOMERS, indexes: [], verifyIgnore: ['_rev'] },
  { name: ORDERS_READ_PRODUCTS, indexes: [], verifyIgnore: ['_rev'] },
];

const ORDER_TYPES: readonly string[] = Object.values(ORDER_EVENT_TYPES);
const CUSTOMER_TYPES: readonly string[] = Object.values(CUSTOMER_EVENT_TYPES);
const PRODUCT_TYPES: readonly string[] = Object.values(PRODUCT_EVENT_TYPES);

export const orderCacheKeys = (doc: Pick<OrdersReadDoc, 'orderId' | 'customer'>): string[] => [
  `orders:${doc.orderId}`,
  `customer-orders:${doc.customer.customerId}`,
  'orders-search',
];

/** Thrown for an event that cannot be applied before another (the runtime retries it). */
export class NotYetApplicableError extends EventOutOfOrderError {
  constructor(event: StoredEvent) {
    super(
      `${event.type} v${event.aggregateVersion} of ${event.aggregateId}: the order's placement is not projected yet`,
    );
    this.name = 'NotYetApplicableError';
  }
}

export class OrdersReadProjection implements Projection {
  readonly name = ORDERS_READ;
  readonly handles = ORDERS_READ_HANDLES;
  readonly collections = ORDERS_READ_COLLECTIONS;

  async apply(event: StoredEvent, ctx: ProjectionContext): Promise<void> {
    if (ORDER_TYPES.includes(event.type)) return this.applyOrderEvent(event, ctx);
    if (CUSTOMER_TYPES.includes(event.type)) return this.applyCustomerEvent(event, ctx);
    if (PRODUCT_TYPES.includes(event.type)) return this.applyProductEvent(event, ctx);
  }

  private orders(ctx: ProjectionContext): Collection<Stored<OrdersReadDoc>> {
    return ctx.collection<Stored<OrdersReadDoc>>(ORDERS_READ);
  }

  private customers(ctx: ProjectionContext): Collection<Stored<CustomerRef>> {
    return ctx.collection<Stored<CustomerRef>>(ORDERS_READ_CUSTOMERS);
  }

  private products(ctx: ProjectionContext): Collection<Stored<ProductRef>> {
    return ctx.collection<Stored<ProductRef>>(ORDERS_READ_PRODUCTS);
  }

  private async loadRefs(
    ctx: ProjectionContext,
    customerId: string,
    productIds: string[],
  ): Promise<{ customer: CustomerRef | null; products: ProductRef[] }> {
    const c = await this.customers(ctx).findOne({ _id: customerId }, { session: ctx.session });
    const ps = await this.products(ctx)
      .find({ _id: { $in: productIds } }, { session: ctx.session })
      .toArray();
    return { customer: c ? withoutRev(c) : null, products: ps.map((p) => withoutRev(p)) };
  }

  private async applyOrderEvent(event: StoredEvent, ctx: ProjectionContext): Promise<void> {
    const now = new Date();
    const saved = await updateGuarded(
      this.orders(ctx),
      event.aggregateId,
      async (current) => {
        let refs: { customer: CustomerRef | null; products: ProductRef[] } = { customer: null, products: [] };
        if (current === null && event.type === ORDER_EVENT_TYPES.placed) {
          const p = event.payload as { customerId: string; items: { productId: string }[] };
          refs = await this.loadRefs(
            ctx,
            p.customerId,
            p.items.map((i) => i.productId),
          );
        }
        const next = evolveOrder(current, event, { now, ...refs });
        if (next === 'not-yet') throw new NotYetApplicableError(event);
        return next;
      },
      ctx.session,
    );
    if (!saved) return;
    if (event.type === ORDER_EVENT_TYPES.placed) await this.resyncRefsInto(saved, ctx);
    await ctx.invalidate(orderCacheKeys(saved));
  }

  /** After inserting an order, embed any ref change that fanned out while it was not there yet. */
  private async resyncRefsInto(order: OrdersReadDoc, ctx: ProjectionContext): Promise<void> {
    await updateGuarded(
      this.orders(ctx),
      order.orderId,
      async (current) => {
        if (current === null) return null;
        const refs = await this.loadRefs(
          ctx,
          current.customer.customerId,
          current.items.map((i) => i.productId),
        );
        let next = refs.customer ? embedCustomer(current, refs.customer) : current;
        for (const r of refs.products) next = embedProduct(next, r);
        return next;
      },
      ctx.session,
    );
  }

  private async applyCustomerEvent(event: StoredEvent, ctx: ProjectionContext): Promise<void> {
    const refs = this.customers(ctx);
    await updateGuarded(refs, event.aggregateId, (current) => evolveCustomerRef(current, event), ctx.session);
    const latest = await refs.findOne({ _id: event.aggregateId }, { session: ctx.session });
    if (latest) await this.fanOutCustomer(withoutRev(latest), ctx);
  }

  private async fanOutCustomer(ref: CustomerRef, ctx: ProjectionContext): Promise<void> {
    const stale: Filter<Stored<OrdersReadDoc>>[] = [
      { 'customer.profileVersion': { $lt: ref.profileVersion } },
      { 'customer.vipVersion': { $lt: ref.vipVersion } },
    ];
    for (const a of ref.addresses) {
      stale.push({ 'shippingAddress.addressId': a.addressId, 'shippingAddress.version': { $lt: a.version } });
      stale.push({ 'billingAddress.addressId': a.addressId, 'billingAddress.version': { $lt: a.version } });
    }
    const ids = await this.orders(ctx)
      .find({ 'customer.customerId': ref._id, $or: stale }, { projection: { _id: 1 }, session: ctx.session })
      .map((d) => d._id)
      .toArray();
    for (const id of ids) {
      const saved = await updateGuarded(
        this.orders(ctx),
        id,
        (current) => (current ? embedCustomer(current, ref) : null),
        ctx.session,
      );
      if (saved) await ctx.invalidate(orderCacheKeys(saved));
    }
  }

  private async applyProductEvent(event: StoredEvent, ctx: ProjectionContext): Promise<void> {
    const refs = this.products(ctx);
    await updateGuarded(refs, event.aggregateId, (current) => evolveProductRef(current, event), ctx.session);
    const latest = await refs.findOne({ _id: event.aggregateId }, { session: ctx.session });
    if (!latest) return;
    const ref = withoutRev(latest);
    const stamp = productStamp(ref);
    const ids = await this.orders(ctx)
      .find(
        { items: { $elemMatch: { productId: ref._id, productStamp: { $lt: stamp } } } },
        { projection: { _id: 1 }, session: ctx.session },
      )
      .map((d) => d._id)
      .toArray();
    for (const id of ids) {
      const saved = await updateGuarded(
        this.orders(ctx),
        id,
        (current) => (current ? embedProduct(current, ref) : null),
        ctx.session,
      );
      if (saved) await ctx.invalidate(orderCacheKeys(saved));
    }
  }
}
