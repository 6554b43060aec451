/**
 * The orders_read and orders_summary projections against a real server (the embedded one), through
 * the Projection contract: a history of customer, product and order events applied once in log
 * order must give exactly the same collections as the same history applied shuffled, with every
 * event delivered two or three times, by four concurrent appliers (events that cannot be applied
 * yet are retried, as the runtime does).
 */
import { describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { Db, Document } from 'mongodb';
import type { StoredEvent } from '../src/shared/events/event-registry.js';
import { applyOne, type Projection, type ProjectionContext } from '../src/shared/projections/projection.js';
import { OrdersReadProjection } from '../src/modules/orders/projections/orders-read/orders-read.projection.js';
import { OrdersSummaryProjection } from '../src/modules/orders/projections/orders-summary/orders-summary.projection.js';
import { withEmbeddedServer } from './helpers/embedded-server.js';

const mongo = withEmbeddedServer();

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const id = (prefix: string, n: number) => `${prefix}_00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A plausible history: events per aggregate with gapless versions, in commit order. */
function history(seed: number): StoredEvent[] {
  const rnd = prng(seed);
  const out: StoredEvent[] = [];
  const versions = new Map<string, number>();
  let seq = 0;
  const emit = (type: string, aggregateId: string, payload: object): number => {
    const v = (versions.get(aggregateId) ?? 0) + 1;
    versions.set(aggregateId, v);
    out.push({
      eventId: `e${seq++}`,
      type,
      aggregateType: type.split('.')[0],
      aggregateId,
      aggregateVersion: v,
      occurredAt: new Date(Date.UTC(2026, 1, 10, 0, 0, seq)),
      correlationId: 'test',
      payload: payload as Record<string, unknown>,
    });
    return v;
  };
  const customers = [1, 2, 3].map((n) => ({ id: id('cus', n), addr: id('adr', n), name: `Customer ${n}` }));
  const address = (a: string, city: string) => ({
    addressId: a,
    label: 'Home',
    line1: '1 Main St',
    line2: null,
    city,
    region: null,
    postalCode: '10115',
    country: 'DE',
  });
  for (const c of customers) {
    emit('customers.customer-registered', c.id, {
      name: c.name,
      email: `${c.id}@example.com`,
      phone: null,
      vipStatus: 'none',
      status: 'active',
    });
    emit('customers.address-added', c.id, { ...address(c.addr, 'Berlin'), isDefault: true, version: 1 });
  }
  const products = [1, 2, 3].map((n) => ({ id: id('prd', n), name: `Product ${n}`, price: `${n * 7}.99` }));
  for (const p of products)
    emit('catalog.product-created', p.id, {
      productId: p.id,
      sku: `SKU-${p.id.slice(-3)}`,
      name: p.name,
      description: '',
      brand: 'Brand',
      category: ['Cat'],
      price: p.price,
      currency: 'USD',
      images: [],
      features: [],
      status: 'active',
      inventory: { quantity: 100, reserved: 0 },
    });
  const orders: { id: string; customer: (typeof customers)[number]; status: string; version: number }[] = [];
  for (let step = 0; step < 60; step++) {
    const r = rnd();
    if (r < 0.35 || orders.length === 0) {
      const c = customers[Math.floor(rnd() * customers.length)];
      const p = products[Math.floor(rnd() * products.length)];
      const q = 1 + Math.floor(rnd() * 3);
      const o = id('ord', orders.length + 1);
      const subtotal = (Number(p.price) * q).toFixed(2);
      const total = (Number(subtotal) + 5.99).toFixed(2);
      const day = rnd() < 0.5 ? '10' : '11';
      emit('orders.order-placed', o, {
        orderId: o,
        customerId: c.id,
        customer: {
          customerId: c.id,
          name: c.name,
          email: `${c.id}@example.com`,
          phone: null,
          vipStatus: 'none',
        },
        shippingAddressId: c.addr,
        billingAddressId: c.addr,
        shippingAddress: address(c.addr, 'Berlin'),
        billingAddress: address(c.addr, 'Berlin'),
        items: [
          {
            productId: p.id,
            sku: `SKU-${p.id.slice(-3)}`,
            name: p.name,
            category: ['Cat'],
            brand: 'Brand',
            imageUrl: null,
            quantity: q,
            priceAtOrder: p.price,
            subtotal,
          },
        ],
        subtotal,
        taxRate: '0',
        tax: '0.00',
        shipping: '5.99',
        total,
        currency: 'USD',
        status: 'pending',
        placedAt: `2026-02-${day}T${String(step % 24).padStart(2, '0')}:00:00.000Z`,
      });
      orders.push({ id: o, customer: c, status: 'pending', version: 1 });
    } else if (r < 0.7) {
      const o = orders[Math.floor(rnd() * orders.length)];
      const next: Record<string, [string, string] | undefined> = {
        pending: rnd() < 0.3 ? ['cancelled', 'cancelled'] : ['confirmed', 'confirmed'],
        confirmed: ['shipped', 'shipped'],
        shipped: ['delivered', 'delivered'],
      };
      const t = next[o.status];
      if (!t) continue;
      o.version = emit(`orders.order-${t[0]}`, o.id, {
        orderId: o.id,
        customerId: o.customer.id,
        previousStatus: o.status,
        status: t[1],
        items: [],
        total: '0',
        currency: 'USD',
        changedAt: `2026-02-12T00:00:${String(step % 60).padStart(2, '0')}.000Z`,
        ...(t[0] === 'cancelled' ? { cancelledBy: 'admin', reason: null } : {}),
      });
      o.status = t[1];
    } else if (r < 0.8) {
      const c = customers[Math.floor(rnd() * customers.length)];
      emit('customers.customer-profile-updated', c.id, {
        name: `${c.name} v${step}`,
        email: `${c.id}@example.com`,
        phone: null,
        changed: ['name'],
      });
    } else if (r < 0.85) {
      const c = customers[Math.floor(rnd() * customers.length)];
      emit('customers.customer-vip-status-changed', c.id, { vipStatus: 'gold', previousVipStatus: 'none' });
    } else if (r < 0.9) {
      const c = customers[Math.floor(rnd() * customers.length)];
      emit('customers.address-updated', c.id, {
        ...address(c.addr, `City ${step}`),
        isDefault: true,
        version: step,
        changed: ['city'],
      });
    } else {
      const p = products[Math.floor(rnd() * products.length)];
      emit(
        'catalog.product-updated',
        p.id,
        rnd() < 0.5 ? { changes: { name: `${p.name} v${step}` } } : { changes: { brand: `Brand ${step}` } },
      );
    }
  }
  return out;
}

function context(db: Db): ProjectionContext {
  return {
    db,
    mode: 'live',
    collection: <T extends Document = Document>(name: string) => db.collection<T>(name),
    collectionName: (name) => name,
    logger: new Logger('orders-projections-test'),
    invalidate: () => Promise.resolve(),
  };
}

async function applyInOrder(projections: Projection[], events: StoredEvent[], ctx: ProjectionContext) {
  for (const e of events)
    for (const p of projections) if (p.handles.includes(e.type)) await applyOne(p, e, ctx);
}

/**
 * Four concurrent appliers taking random batches (1 to 40 events) of a shuffled, duplicated queue;
 * deferred events and failed batches go back to the queue (as the runtime offers them again).
 */
async function applyInChaoticBatches(
  projections: Projection[],
  events: StoredEvent[],
  ctx: ProjectionContext,
  seed: number,
) {
  const rnd = prng(seed * 7919);
  const queue = [...events, ...events, ...events.filter(() => rnd() < 0.5)]
    .map((e) => ({ e, k: rnd() }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.e);
  let attempts = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const batch = queue.splice(0, 1 + Math.floor(rnd() * 40));
      if (batch.length === 0) return;
      for (const p of projections) {
        const mine = batch.filter((e) => p.handles.includes(e.type));
        if (mine.length === 0) continue;
        try {
          const { deferred } = await p.applyBatch(mine, ctx);
          queue.push(...deferred);
        } catch {
          if (++attempts > 10_000) throw new Error('too many retries');
          queue.push(...mine);
        }
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

/** Four concurrent appliers over a shuffled, duplicated queue; failed applications are retried later. */
async function applyChaotically(
  projections: Projection[],
  events: StoredEvent[],
  ctx: ProjectionContext,
  seed: number,
) {
  const rnd = prng(seed);
  const queue = [...events, ...events, ...events.filter(() => rnd() < 0.5)]
    .map((e) => ({ e, k: rnd() }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.e);
  let attempts = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const e = queue.shift();
      if (!e) return;
      for (const p of projections) {
        if (!p.handles.includes(e.type)) continue;
        try {
          await applyOne(p, e, ctx);
        } catch {
          if (++attempts > 10_000) throw new Error('too many retries');
          queue.push(e);
        }
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

const IGNORED = ['_rev', 'summarizedRev', 'computedAt'];

function normalize(doc: Document): Document {
  const copy: Document = JSON.parse(JSON.stringify(doc)) as Document;
  for (const f of IGNORED) delete copy[f];
  if (copy.lastSyncedFrom) delete (copy.lastSyncedFrom as Document).syncedAt;
  return copy;
}

async function dump(db: Db, name: string): Promise<Document[]> {
  return (await db.collection(name).find().sort({ _id: 1 }).toArray()).map(normalize);
}

describe('orders projections on a real server', () => {
  const COLLECTIONS = [
    'orders_read',
    'orders_read_customers',
    'orders_read_products',
    'orders_summary',
    'orders_summary_facts',
    'orders_summary_customers',
    'orders_summary_products',
  ];

  for (const seed of [4, 5]) {
    it(`seed ${seed}: concurrent random batches (shuffled, duplicated) equal the in-order replay and one batch of all`, async () => {
      const client = await mongo.client();
      const events = history(seed);
      const projections = (): Projection[] => [new OrdersReadProjection(), new OrdersSummaryProjection()];
      const ref = client.db(`bref_${seed}`);
      const chaos = client.db(`bchaos_${seed}`);
      const whole = client.db(`bwhole_${seed}`);
      await applyInOrder(projections(), events, context(ref));
      await applyInChaoticBatches(projections(), events, context(chaos), seed);
      for (const p of projections()) {
        const { deferred } = await p.applyBatch(
          events.filter((e) => p.handles.includes(e.type)),
          context(whole),
        );
        expect(deferred).toEqual([]);
      }
      for (const name of COLLECTIONS) {
        const a = await dump(ref, name);
        expect(a.length).toBeGreaterThan(0);
        expect([name, await dump(chaos, name)]).toEqual([name, a]);
        expect([name, await dump(whole, name)]).toEqual([name, a]);
      }
    }, 120_000);
  }

  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: shuffled, duplicated, concurrent delivery equals the in-order replay`, async () => {
      const client = await mongo.client();
      const events = history(seed);
      const projections = (): Projection[] => [new OrdersReadProjection(), new OrdersSummaryProjection()];
      const ref = client.db(`ref_${seed}`);
      const chaos = client.db(`chaos_${seed}`);
      await applyInOrder(projections(), events, context(ref));
      await applyChaotically(projections(), events, context(chaos), seed);
      for (const name of COLLECTIONS) {
        const [a, b] = [await dump(ref, name), await dump(chaos, name)];
        expect(b.length).toBeGreaterThan(0);
        expect([name, b]).toEqual([name, a]);
      }
      // Spot-check the in-order replay against the history itself.
      const summaries = await ref.collection('orders_summary').find().toArray();
      const facts = await ref.collection('orders_summary_facts').find().toArray();
      expect(summaries.reduce((n, s) => n + (s.orderCount as number), 0)).toBe(facts.length);
      const placed = events.filter((e) => e.type === 'orders.order-placed').length;
      expect(await ref.collection('orders_read').countDocuments()).toBe(placed);
    }, 120_000);
  }
});
