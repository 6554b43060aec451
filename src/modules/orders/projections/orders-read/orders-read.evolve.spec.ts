import fc from 'fast-check';
import mongoose from 'mongoose';
import type { StoredEvent } from '../../../../shared/events/event-registry.js';
import {
  embedCustomer,
  embedProduct,
  evolveCustomerRef,
  evolveOrder,
  evolveProductRef,
  type CustomerRef,
  type OrdersReadDoc,
  type ProductRef,
} from './orders-read.evolve.js';
import { ORDERS_READ_COLLECTIONS } from './orders-read.projection.js';
import { ORDERS_READ, OrdersReadSchema } from './orders-read.schema.js';

const NOW = new Date('2026-03-01T00:00:00.000Z');
const ORDER = 'ord_00000000-0000-4000-8000-000000000001';
const CUS = 'cus_00000000-0000-4000-8000-000000000001';
const PRD = 'prd_00000000-0000-4000-8000-000000000001';
const PRD2 = 'prd_00000000-0000-4000-8000-000000000002';
const ADR = 'adr_00000000-0000-4000-8000-000000000001';

const ev = (type: string, aggregateId: string, version: number, payload: object): StoredEvent => ({
  eventId: `${aggregateId}:${version}`,
  type,
  aggregateType: type.split('.')[0],
  aggregateId,
  aggregateVersion: version,
  occurredAt: NOW,
  correlationId: 'test',
  payload: payload as Record<string, unknown>,
});

const address = (city: string) => ({
  addressId: ADR,
  label: 'Home',
  line1: '1 Main St',
  line2: null,
  city,
  region: null,
  postalCode: '10115',
  country: 'DE',
});

export const placed = (orderId = ORDER, placedAt = '2026-02-10T10:00:00.000Z') =>
  ev('orders.order-placed', orderId, 1, {
    orderId,
    customerId: CUS,
    customer: {
      customerId: CUS,
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: null,
      vipStatus: 'none',
    },
    shippingAddressId: ADR,
    billingAddressId: ADR,
    shippingAddress: address('Berlin'),
    billingAddress: address('Berlin'),
    items: [
      {
        productId: PRD,
        sku: 'SKU-1',
        name: 'Headphones',
        category: ['Electronics', 'Audio'],
        brand: 'Sonic',
        imageUrl: null,
        quantity: 2,
        priceAtOrder: '19.99',
        subtotal: '39.98',
      },
      {
        productId: PRD2,
        sku: 'SKU-2',
        name: 'Cable',
        category: ['Electronics'],
        brand: 'Wire',
        imageUrl: 'https://img/cable.png',
        quantity: 1,
        priceAtOrder: '5.00',
        subtotal: '5.00',
      },
    ],
    subtotal: '44.98',
    taxRate: '0.08',
    tax: '3.60',
    shipping: '5.99',
    total: '54.57',
    currency: 'USD',
    status: 'pending',
    placedAt,
  });

const status = (type: string, version: number, previousStatus: string, s: string, at: string, extra = {}) =>
  ev(`orders.order-${type}`, ORDER, version, {
    orderId: ORDER,
    customerId: CUS,
    previousStatus,
    status: s,
    items: [{ productId: PRD, quantity: 2 }],
    total: '54.57',
    currency: 'USD',
    changedAt: at,
    ...extra,
  });

const confirmed = status('confirmed', 2, 'pending', 'confirmed', '2026-02-10T11:00:00.000Z');
const shipped = status('shipped', 3, 'confirmed', 'shipped', '2026-02-11T09:00:00.000Z');
const delivered = status('delivered', 4, 'shipped', 'delivered', '2026-02-12T15:30:00.000Z');

/** Applies events like the runtime does: an event that cannot be applied yet is retried after the others. */
function run(events: StoredEvent[], start: OrdersReadDoc | null = null): OrdersReadDoc | null {
  let doc = start;
  let queue = [...events];
  for (let round = 0; round < events.length + 1 && queue.length > 0; round++) {
    const retry: StoredEvent[] = [];
    for (const e of queue) {
      const r = evolveOrder(doc, e, { now: NOW });
      if (r === 'not-yet') retry.push(e);
      else doc = r;
    }
    queue = retry;
  }
  if (queue.length > 0) throw new Error('events never applicable');
  return doc;
}

describe('orders_read evolve: order events', () => {
  const all = [placed(), confirmed, shipped, delivered];

  it('projects the placement: customer, enriched items, exact amounts, addresses, history', () => {
    const doc = run([placed()]);
    expect(doc).not.toBeNull();
    const d = doc as OrdersReadDoc;
    expect(d.status).toBe('pending');
    expect(d.customer).toMatchObject({ customerId: CUS, name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(d.items[0]).toMatchObject({ sku: 'SKU-1', brand: 'Sonic', category: ['Electronics', 'Audio'] });
    expect(d.items[0].unitPrice.toString()).toBe('19.99');
    expect(d.items[0].subtotal.toString()).toBe('39.98');
    expect(d.amounts.total.toString()).toBe('54.57');
    expect(d.shippingAddress.city).toBe('Berlin');
    expect(d.createdAt.toISOString()).toBe('2026-02-10T10:00:00.000Z');
    expect(d.statusHistory).toEqual([
      { status: 'pending', previousStatus: null, at: new Date('2026-02-10T10:00:00.000Z'), version: 1 },
    ]);
    expect(d.lastSyncedFrom).toEqual({ writeModelVersion: 1, syncedAt: NOW });
    expect(d.searchText).toContain('headphones');
    expect(d.searchText).toContain('ada lovelace');
  });

  it('records every transition with its time; status and updatedAt follow the latest', () => {
    const d = run(all) as OrdersReadDoc;
    expect(d.status).toBe('delivered');
    expect(d.updatedAt.toISOString()).toBe('2026-02-12T15:30:00.000Z');
    expect(d.statusHistory.map((h) => [h.version, h.status, h.at.toISOString()])).toEqual([
      [1, 'pending', '2026-02-10T10:00:00.000Z'],
      [2, 'confirmed', '2026-02-10T11:00:00.000Z'],
      [3, 'shipped', '2026-02-11T09:00:00.000Z'],
      [4, 'delivered', '2026-02-12T15:30:00.000Z'],
    ]);
    expect(d.lastSyncedFrom.writeModelVersion).toBe(4);
  });

  it('keeps who cancelled and why', () => {
    const cancelled = status('cancelled', 2, 'pending', 'cancelled', '2026-02-10T12:00:00.000Z', {
      cancelledBy: 'customer',
      reason: 'changed my mind',
    });
    const d = run([placed(), cancelled]) as OrdersReadDoc;
    expect(d.status).toBe('cancelled');
    expect(d.statusHistory[1]).toMatchObject({ cancelledBy: 'customer', reason: 'changed my mind' });
  });

  it('applying every event twice changes nothing (same object on the repeat)', () => {
    const once = run(all) as OrdersReadDoc;
    for (const e of all) expect(evolveOrder(once, e, { now: new Date() })).toBe(once);
    expect(run([...all, ...all])).toEqual(once);
  });

  it('any order of arrival (with duplicates) gives the same document', () => {
    const expected = run(all);
    fc.assert(
      fc.property(fc.shuffledSubarray([...all, ...all], { minLength: 8, maxLength: 8 }), (events) => {
        expect(run(events)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('writeModelVersion is the highest contiguous version applied (a gap holds it back)', () => {
    const d = run([placed(), shipped]) as OrdersReadDoc;
    expect(d.status).toBe('shipped');
    expect(d.lastSyncedFrom.writeModelVersion).toBe(1);
    const filled = run([confirmed], d) as OrdersReadDoc;
    expect(filled.lastSyncedFrom.writeModelVersion).toBe(3);
    expect(filled.status).toBe('shipped');
  });

  it('a status event before the placement cannot be applied yet', () => {
    expect(evolveOrder(null, confirmed, { now: NOW })).toBe('not-yet');
  });
});

describe('orders_read evolve: fan-out of customer and product changes', () => {
  const registered = ev('customers.customer-registered', CUS, 1, {
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    phone: null,
    vipStatus: 'none',
    status: 'active',
  });
  const addrAdded = ev('customers.address-added', CUS, 2, {
    ...address('Berlin'),
    isDefault: true,
    version: 1,
  });
  const profile = ev('customers.customer-profile-updated', CUS, 3, {
    name: 'Ada King',
    email: 'ada.king@example.com',
    phone: '+4930123456',
    changed: ['name', 'email', 'phone'],
  });
  const vip = ev('customers.customer-vip-status-changed', CUS, 4, {
    vipStatus: 'gold',
    previousVipStatus: 'none',
  });
  const addrUpdated = ev('customers.address-updated', CUS, 5, {
    ...address('Hamburg'),
    isDefault: true,
    version: 2,
    changed: ['city'],
  });
  const customerEvents = [registered, addrAdded, profile, vip, addrUpdated];

  const refOf = (events: StoredEvent[]): CustomerRef =>
    events.reduce<CustomerRef | null>((r, e) => evolveCustomerRef(r, e), null) as CustomerRef;

  it('a profile, VIP and address change reaches the order', () => {
    const order = run([placed()]) as OrdersReadDoc;
    const d = embedCustomer(order, refOf(customerEvents));
    expect(d.customer).toMatchObject({
      name: 'Ada King',
      email: 'ada.king@example.com',
      phone: '+4930123456',
      vipStatus: 'gold',
      profileVersion: 3,
      vipVersion: 4,
      stamp: 7,
    });
    expect(d.shippingAddress).toMatchObject({ city: 'Hamburg', version: 5 });
    expect(d.billingAddress).toMatchObject({ city: 'Hamburg', version: 5 });
    expect(d.searchText).toContain('ada king');
    expect(d.searchText).toContain('hamburg');
  });

  it('the customer ref is the same for every order and multiplicity of its events; a stale copy never wins', () => {
    const expected = refOf(customerEvents);
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...customerEvents, ...customerEvents], { minLength: 10, maxLength: 10 }),
        (evs) => {
          expect(refOf(evs)).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
    // An order that already has the newest copy is not rolled back by an older ref state.
    const order = embedCustomer(run([placed()]) as OrdersReadDoc, expected);
    expect(embedCustomer(order, refOf([registered, addrAdded]))).toBe(order);
    expect(embedCustomer(order, expected)).toBe(order);
  });

  it('fan-out converges whether the order is projected before or after the customer changes', () => {
    const ref = refOf(customerEvents);
    const after = embedCustomer(run([placed()]) as OrdersReadDoc, ref);
    const before = evolveOrder(null, placed(), { now: NOW, customer: ref });
    expect(before).toEqual(after);
    // Intermediate ref states pushed in any order end at the same document.
    const partial = refOf([registered, vip]);
    const viaPartial = embedCustomer(embedCustomer(run([placed()]) as OrdersReadDoc, partial), ref);
    expect(viaPartial).toEqual(after);
  });

  it('product detail changes reach every line of that product only, per field newest wins', () => {
    const created = ev('catalog.product-created', PRD, 1, {
      productId: PRD,
      sku: 'SKU-1',
      name: 'Headphones',
      description: '',
      brand: 'Sonic',
      category: ['Electronics', 'Audio'],
      price: '19.99',
      currency: 'USD',
      images: [],
      features: [],
      status: 'active',
      inventory: { quantity: 10, reserved: 0 },
    });
    const rename = ev('catalog.product-updated', PRD, 5, { changes: { name: 'Headphones Pro' } });
    const rebrand = ev('catalog.product-updated', PRD, 6, {
      changes: { brand: 'Sonic Labs', images: ['https://img/h.png'] },
    });
    const events = [created, rename, rebrand];
    const refOfP = (evs: StoredEvent[]): ProductRef =>
      evs.reduce<ProductRef | null>((r, e) => evolveProductRef(r, e), null) as ProductRef;
    const expected = refOfP(events);
    expect(expected).toMatchObject({
      name: 'Headphones Pro',
      brand: 'Sonic Labs',
      imageUrl: 'https://img/h.png',
    });
    fc.assert(
      fc.property(fc.shuffledSubarray([...events, ...events], { minLength: 6, maxLength: 6 }), (evs) => {
        expect(refOfP(evs)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
    const order = run([placed()]) as OrdersReadDoc;
    // Out-of-order ref states (brand first, then the rename) still end with both changes.
    const viaPartial = embedProduct(embedProduct(order, refOfP([rebrand])), refOfP([rebrand, rename]));
    const direct = embedProduct(order, expected);
    expect(direct.items[0]).toMatchObject({
      name: 'Headphones Pro',
      brand: 'Sonic Labs',
      imageUrl: 'https://img/h.png',
    });
    expect(direct.items[1]).toEqual(order.items[1]);
    expect(viaPartial.items[0]).toMatchObject({ name: 'Headphones Pro', brand: 'Sonic Labs' });
    expect(direct.searchText).toContain('headphones pro');
    expect(embedProduct(direct, expected)).toBe(direct);
    expect(embedProduct(direct, refOfP([rename]))).toBe(direct);
  });
});

const cancelledByCustomer = status('cancelled', 2, 'pending', 'cancelled', '2026-02-10T12:00:00.000Z', {
  cancelledBy: 'customer',
  reason: 'changed my mind',
});
const Model = mongoose.model('OrdersReadSchemaSpec', OrdersReadSchema);

describe('orders_read schema', () => {
  it('describes exactly the documents the projection writes (no field missing, none unknown)', () => {
    for (const doc of [
      run([placed()]) as OrdersReadDoc,
      run([placed(), cancelledByCustomer]) as OrdersReadDoc,
    ]) {
      const m = new Model({ ...doc, _rev: 1 }); // strict 'throw': an unknown field throws here
      expect(m.validateSync()).toBeUndefined();
    }
  });

  it('a document with a field the schema does not declare is refused', () => {
    expect(() => new Model({ ...(run([placed()]) as OrdersReadDoc), surprise: 1 })).toThrow(/surprise/);
  });

  it('is the source of the collection name and of the projection indexes', () => {
    expect(OrdersReadSchema.get('collection')).toBe(ORDERS_READ);
    const live = ORDERS_READ_COLLECTIONS.find((c) => c.name === ORDERS_READ)!;
    expect(live.indexes.map((i) => i.options?.name)).toEqual(
      OrdersReadSchema.indexes().map(([, o]) => (o as { name: string }).name),
    );
    expect(live.indexes.filter((i) => i.usedByApply).map((i) => i.options?.name)).toEqual([
      'customer_createdAt',
      'items_productId',
    ]);
  });
});
