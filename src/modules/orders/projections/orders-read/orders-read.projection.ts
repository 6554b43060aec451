/**
 * The `orders_read` projection: loads and saves in batches; every decision is in
 * `orders-read.evolve.ts`.
 *
 * Owned collections (read db): `orders_read` (the read model), `orders_read_customers` and
 * `orders_read_products` (the latest merged customer / product state the orders embed).
 *
 * One batch, in four steps (each a guarded batch save, see batch-save.ts):
 * 1. Customer / product events are merged into their refs.
 * 2. Order events are evolved per order, in version order (version guard inside); placements embed
 *    the refs read just before. A status event whose placement is neither stored nor in the batch
 *    is deferred (the runtime tries it again later).
 * 3. The refs of the orders placed in this batch and of the ref events are read again: a customer /
 *    product change that fanned out while an order was being inserted would otherwise be missed.
 *    Placed orders whose embedded copies are older are re-embedded (in memory: no query).
 * 4. Fan-out: for each customer / product of the batch's ref events, the orders whose embedded copy
 *    is older (one indexed query per ref) get the ref's current merged state. It runs even when the
 *    ref did not change, so a retry after a crash between the steps completes it.
 * Without ref events and with no concurrent writer, a batch of placements costs six round trips.
 *
 * Cache keys invalidated: `orders:<orderId>`, `customer-orders:<customerId>`, `orders-search`.
 */
import type { Collection, Filter } from 'mongodb';
import { byAggregate } from '../../../../shared/projections/event-groups.js';
import { ORDERS_READ, ORDERS_READ_INDEXES } from './orders-read.schema.js';
import {
  loadMany,
  updateManyGuarded,
  withoutRevField,
  type BatchSaveOptions,
  type WithRev,
} from '../../../../shared/projections/batch-save.js';
import {
  EventOutOfOrderError,
  type BatchOutcome,
  type Projection,
  type ProjectionCollection,
  type ProjectionContext,
  type StoredEvent,
} from '../../../../shared/projections/projection.js';
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

export { ORDERS_READ } from './orders-read.schema.js';
export const ORDERS_READ_CUSTOMERS = 'orders_read_customers';
export const ORDERS_READ_PRODUCTS = 'orders_read_products';

/** The read model (shape and indexes from its Mongoose schema) and the two ref helper collections. */
export const ORDERS_READ_COLLECTIONS: readonly ProjectionCollection[] = [
  { name: ORDERS_READ, indexes: ORDERS_READ_INDEXES, verifyIgnore: ['_rev', 'lastSyncedFrom.syncedAt'] },
  { name: ORDERS_READ_CUSTOMERS, indexes: [], verifyIgnore: ['_rev'] },
  { name: ORDERS_READ_PRODUCTS, indexes: [], verifyIgnore: ['_rev'] },
];

const ORDER_TYPES: ReadonlySet<string> = new Set(Object.values(ORDER_EVENT_TYPES));
const CUSTOMER_TYPES: ReadonlySet<string> = new Set(Object.values(CUSTOMER_EVENT_TYPES));
const PRODUCT_TYPES: ReadonlySet<string> = new Set(Object.values(PRODUCT_EVENT_TYPES));

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

type OrderDoc = OrdersReadDoc & { _id: string };
const REV = { revField: '_rev' } as const;

interface Refs {
  customers: Map<string, CustomerRef>;
  products: Map<string, ProductRef>;
}

export class OrdersReadProjection implements Projection {
  readonly name = ORDERS_READ;
  readonly handles = ORDERS_READ_HANDLES;
  readonly collections = ORDERS_READ_COLLECTIONS;

  private orders(ctx: ProjectionContext): Collection<WithRev<OrderDoc, '_rev'>> {
    return ctx.collection<WithRev<OrderDoc, '_rev'>>(ORDERS_READ);
  }

  private customers(ctx: ProjectionContext): Collection<WithRev<CustomerRef, '_rev'>> {
    return ctx.collection<WithRev<CustomerRef, '_rev'>>(ORDERS_READ_CUSTOMERS);
  }

  private products(ctx: ProjectionContext): Collection<WithRev<ProductRef, '_rev'>> {
    return ctx.collection<WithRev<ProductRef, '_rev'>>(ORDERS_READ_PRODUCTS);
  }

  async applyBatch(events: readonly StoredEvent[], ctx: ProjectionContext): Promise<BatchOutcome> {
    const opts: BatchSaveOptions<'_rev'> = { ...REV, session: ctx.session };
    const customerEvents = byAggregate(events, CUSTOMER_TYPES);
    const productEvents = byAggregate(events, PRODUCT_TYPES);
    const orderEvents = byAggregate(events, ORDER_TYPES);

    // 1. Refs.
    await updateManyGuarded(
      this.customers(ctx),
      [...customerEvents.keys()],
      (id, cur) =>
        (customerEvents.get(id) ?? []).reduce<CustomerRef | null>((r, e) => evolveCustomerRef(r, e), cur),
      opts,
    );
    await updateManyGuarded(
      this.products(ctx),
      [...productEvents.keys()],
      (id, cur) =>
        (productEvents.get(id) ?? []).reduce<ProductRef | null>((r, e) => evolveProductRef(r, e), cur),
      opts,
    );

    // 2. Orders.
    const placed = placements(orderEvents);
    const before = await this.loadRefs(ctx, placed.customerIds, placed.productIds);
    const now = new Date();
    const deferredByOrder = new Map<string, StoredEvent[]>();
    const saved = await updateManyGuarded(
      this.orders(ctx),
      [...orderEvents.keys()],
      (id, current) => {
        const deferred: StoredEvent[] = [];
        let doc: OrderDoc | null = current;
        for (const e of orderEvents.get(id) ?? []) {
          const refs =
            doc === null && e.type === ORDER_EVENT_TYPES.placed
              ? refsFor(e, before)
              : { customer: null, products: [] };
          const next = evolveOrder(doc, e, { now, ...refs });
          if (next === 'not-yet') deferred.push(e);
          else doc = next as OrderDoc;
        }
        deferredByOrder.set(id, deferred);
        return doc;
      },
      opts,
    );
    const keys = new Set<string>();
    for (const doc of saved.values()) for (const k of orderCacheKeys(doc)) keys.add(k);

    // 3. Refs read again: re-embed what changed while the placements were written.
    const customerIds = new Set([...placed.customerIds, ...customerEvents.keys()]);
    const productIds = new Set([...placed.productIds, ...productEvents.keys()]);
    const after = await this.loadRefs(ctx, [...customerIds], [...productIds]);
    const stale = [...saved.values()].filter((d) => embedRefs(d, after) !== d).map((d) => d._id);
    await this.reembed(ctx, stale, after, keys, opts);

    // 4. Fan-out of the batch's ref events to the orders that embed an older copy.
    const fanOut = new Set<string>();
    for (const id of customerEvents.keys()) {
      const ref = after.customers.get(id);
      if (ref) for (const o of await this.staleForCustomer(ctx, ref)) fanOut.add(o);
    }
    for (const id of productEvents.keys()) {
      const ref = after.products.get(id);
      if (ref) for (const o of await this.staleForProduct(ctx, ref)) fanOut.add(o);
    }
    await this.reembed(ctx, [...fanOut], after, keys, opts);

    await ctx.invalidate([...keys]);
    return { deferred: [...deferredByOrder.values()].flat() };
  }

  private async reembed(
    ctx: ProjectionContext,
    ids: readonly string[],
    refs: Refs,
    keys: Set<string>,
    opts: BatchSaveOptions<'_rev'>,
  ): Promise<void> {
    if (ids.length === 0) return;
    const saved = await updateManyGuarded(
      this.orders(ctx),
      ids,
      (_id, current) => (current ? embedRefs(current, refs) : null),
      opts,
    );
    for (const doc of saved.values()) for (const k of orderCacheKeys(doc)) keys.add(k);
  }

  private async loadRefs(
    ctx: ProjectionContext,
    customerIds: readonly string[],
    productIds: readonly string[],
  ): Promise<Refs> {
    const opts = { ...REV, session: ctx.session };
    const [cs, ps] = await Promise.all([
      loadMany<CustomerRef, '_rev'>(this.customers(ctx), customerIds, opts),
      loadMany<ProductRef, '_rev'>(this.products(ctx), productIds, opts),
    ]);
    return {
      customers: new Map([...cs].map(([id, c]) => [id, withoutRevField<CustomerRef, '_rev'>(c, '_rev')])),
      products: new Map([...ps].map(([id, p]) => [id, withoutRevField<ProductRef, '_rev'>(p, '_rev')])),
    };
  }

  private async staleForCustomer(ctx: ProjectionContext, ref: CustomerRef): Promise<string[]> {
    const stale: Filter<WithRev<OrderDoc, '_rev'>>[] = [
      { 'customer.profileVersion': { $lt: ref.profileVersion } },
      { 'customer.vipVersion': { $lt: ref.vipVersion } },
    ];
    for (const a of ref.addresses) {
      stale.push({ 'shippingAddress.addressId': a.addressId, 'shippingAddress.version': { $lt: a.version } });
      stale.push({ 'billingAddress.addressId': a.addressId, 'billingAddress.version': { $lt: a.version } });
    }
    return this.orders(ctx)
      .find({ 'customer.customerId': ref._id, $or: stale }, { projection: { _id: 1 }, session: ctx.session })
      .map((d) => d._id)
      .toArray();
  }

  private async staleForProduct(ctx: ProjectionContext, ref: ProductRef): Promise<string[]> {
    return this.orders(ctx)
      .find(
        { items: { $elemMatch: { productId: ref._id, productStamp: { $lt: productStamp(ref) } } } },
        { projection: { _id: 1 }, session: ctx.session },
      )
      .map((d) => d._id)
      .toArray();
  }
}

/** The customers and products the batch's placements embed. */
function placements(orderEvents: Map<string, StoredEvent[]>): {
  customerIds: string[];
  productIds: string[];
} {
  const customerIds = new Set<string>();
  const productIds = new Set<string>();
  for (const list of orderEvents.values()) {
    for (const e of list) {
      if (e.type !== ORDER_EVENT_TYPES.placed) continue;
      const p = e.payload as { customerId: string; items: { productId: string }[] };
      customerIds.add(p.customerId);
      for (const i of p.items) productIds.add(i.productId);
    }
  }
  return { customerIds: [...customerIds], productIds: [...productIds] };
}

function refsFor(placed: StoredEvent, refs: Refs): { customer: CustomerRef | null; products: ProductRef[] } {
  const p = placed.payload as { customerId: string; items: { productId: string }[] };
  const products: ProductRef[] = [];
  for (const i of p.items) {
    const r = refs.products.get(i.productId);
    if (r && !products.includes(r)) products.push(r);
  }
  return { customer: refs.customers.get(p.customerId) ?? null, products };
}

/** The order with every newer ref state embedded; the same object when none is newer. */
function embedRefs(doc: OrderDoc, refs: Refs): OrderDoc {
  const customer = refs.customers.get(doc.customer.customerId);
  let next: OrdersReadDoc = customer ? embedCustomer(doc, customer) : doc;
  for (const item of doc.items) {
    const ref = refs.products.get(item.productId);
    if (ref) next = embedProduct(next, ref);
  }
  return next as OrderDoc;
}
