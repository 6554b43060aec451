/**
 * Data for the rebuild benchmark: `count` orders written straight into a write model (`orders`)
 * and its event log (`domain_events`) with bulk inserts, too many to place through HTTP within the
 * benchmark's budget. Every document is built by the real domain code: `Order.place` and
 * `changeStatus` (the aggregate's rules, totals and event classes), the repository's `toDoc` and
 * the event log's `toStored`, so the rebuild replays the same shapes as API traffic produces. The
 * customers, addresses and products are the seeded ones already in the database. Statuses follow
 * the demo data's mix (mostly delivered), so an order has 3.3 events on average.
 *
 * Bulk load: the secondary indexes of the two collections are dropped first and built again at
 * the end (one sort per index instead of a tree insert per document), as a bulk import does; the
 * collections end with exactly the indexes they started with.
 *
 * Left out on purpose: the catalog's stock events and stock levels (orders_read does not read
 * them), and the idempotency records of the commands.
 */
import { randomUUID } from 'node:crypto';
import { MongoClient, type Collection, type Decimal128, type Document, type IndexDescription } from 'mongodb';
import { Order, type PlaceOrderLine } from '../../src/modules/orders/domain/order.aggregate.js';
import type {
  OrderAddressSnapshot,
  OrderCustomerSnapshot,
} from '../../src/modules/orders/domain/events/order-placed.event.js';
import type { OrderStatus } from '../../src/modules/orders/orders.public.js';
import { toDoc } from '../../src/modules/orders/persistence/order.repository.js';
import { toStored } from '../../src/shared/events/event-registry.js';

/** Final statuses and their share (the demo data's mix with SEED=42). */
const STATUS_MIX: Array<[OrderStatus, number]> = [
  ['delivered', 0.82],
  ['shipped', 0.073],
  ['confirmed', 0.024],
  ['pending', 0.014],
  ['cancelled', 0.069],
];
const PATHS: Record<OrderStatus, OrderStatus[]> = {
  pending: [],
  confirmed: ['confirmed'],
  shipped: ['confirmed', 'shipped'],
  delivered: ['confirmed', 'shipped', 'delivered'],
  cancelled: ['cancelled'],
};
const DAY_MS = 86_400_000;
const BATCH = 2_000;

interface ProductDoc extends Document {
  productId: string;
  sku: string;
  name: string;
  brand: string;
  category: string[];
  images: string[];
  price: Decimal128;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

function finalStatus(): OrderStatus {
  let u = Math.random();
  for (const [status, share] of STATUS_MIX) {
    if (u < share) return status;
    u -= share;
  }
  return 'delivered';
}

export interface GeneratedData {
  orders: number;
  events: number;
  seconds: number;
  /** Of which: building the secondary indexes again at the end. */
  indexSeconds: number;
}

/** Drops the secondary indexes of `coll`; the returned function builds them again. */
async function withoutSecondaryIndexes(coll: Collection): Promise<() => Promise<void>> {
  const indexes = (await coll.listIndexes().toArray()).filter((i) => i.name !== '_id_');
  for (const i of indexes) await coll.dropIndex(String(i.name));
  return async () => {
    if (indexes.length === 0) return;
    await coll.createIndexes(
      indexes.map((i) => ({
        key: i.key as IndexDescription['key'],
        name: String(i.name),
        ...(i.unique === true ? { unique: true } : {}),
      })),
    );
  };
}

export async function generateOrders(
  uri: string,
  count: number,
  log: (line: string) => void,
  writeDb = 'app',
): Promise<GeneratedData> {
  const started = performance.now();
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  try {
    const db = client.db(writeDb);
    const products = await db.collection<ProductDoc>('products').find({ status: 'active' }).toArray();
    const customers = await db
      .collection<OrderCustomerSnapshot & Document>('customers')
      .find({ status: 'active' })
      .toArray();
    const addresses = await db
      .collection<OrderAddressSnapshot & { customerId: string } & Document>('addresses')
      .find({ removedAt: null })
      .toArray();
    const byCustomer = new Map<string, OrderAddressSnapshot[]>();
    for (const a of addresses) {
      const snapshot: OrderAddressSnapshot = {
        addressId: a.addressId,
        label: a.label,
        line1: a.line1,
        line2: a.line2,
        city: a.city,
        region: a.region,
        postalCode: a.postalCode,
        country: a.country,
      };
      byCustomer.set(a.customerId, [...(byCustomer.get(a.customerId) ?? []), snapshot]);
    }
    const buyers = customers.filter((c) => byCustomer.has(c.customerId));
    if (products.length === 0 || buyers.length === 0)
      throw new Error('no seeded products or customers to order');
    const lines: PlaceOrderLine[] = products.map((p) => ({
      productId: p.productId,
      sku: p.sku,
      name: p.name,
      category: p.category,
      brand: p.brand,
      imageUrl: p.images[0] ?? null,
      quantity: 1,
      unitPrice: p.price.toString(),
    }));
    const pricing = { taxRate: '0.08', shippingFee: '5.99', currency: 'USD' };
    const ordersColl = db.collection('orders');
    const eventsColl = db.collection('domain_events');
    const restoreOrderIndexes = await withoutSecondaryIndexes(ordersColl);
    const restoreEventIndexes = await withoutSecondaryIndexes(eventsColl);
    const now = Date.now();
    let events = 0;
    let nextReport = count / 10;
    for (let done = 0; done < count;) {
      const orderDocs: Document[] = [];
      const eventDocs: Document[] = [];
      for (const end = Math.min(count, done + BATCH); done < end; done++) {
        const c = pick(buyers);
        const address = pick(byCustomer.get(c.customerId)!);
        const chosen = new Map<string, PlaceOrderLine>();
        const n = 1 + Math.floor(Math.random() * 5);
        while (chosen.size < Math.min(n, lines.length)) {
          const l = pick(lines);
          chosen.set(l.productId, { ...l, quantity: 1 + Math.floor(Math.random() * 3) });
        }
        let at = new Date(now - Math.random() * 180 * DAY_MS);
        const ctx = () => ({ correlationId: 'bench-rebuild', now: at });
        const order = Order.place(
          {
            orderId: `ord_${randomUUID()}`,
            customer: {
              customerId: c.customerId,
              name: c.name,
              email: c.email,
              phone: c.phone,
              vipStatus: c.vipStatus,
            },
            shippingAddress: address,
            billingAddress: address,
            lines: [...chosen.values()],
            pricing,
          },
          ctx(),
        );
        for (const status of PATHS[finalStatus()]) {
          at = new Date(at.getTime() + Math.random() * 3 * DAY_MS);
          order.changeStatus(status, undefined, ctx());
        }
        orderDocs.push(toDoc(order.state));
        for (const e of order.pullEvents()) {
          e.recordedAt = e.occurredAt;
          eventDocs.push(toStored(e));
        }
      }
      await Promise.all([
        ordersColl.insertMany(orderDocs, { ordered: false }),
        eventsColl.insertMany(eventDocs, { ordered: false }),
      ]);
      events += eventDocs.length;
      if (done >= nextReport || done === count) {
        nextReport += count / 10;
        const s = (performance.now() - started) / 1000;
        log(
          `rebuild data: ${done} / ${count} orders, ${events} events written (${(done / s).toFixed(0)} orders/s)`,
        );
      }
    }
    const indexStarted = performance.now();
    log('rebuild data: building the secondary indexes of orders and domain_events again ...');
    await restoreOrderIndexes();
    await restoreEventIndexes();
    const indexSeconds = (performance.now() - indexStarted) / 1000;
    log(`rebuild data: indexes built in ${indexSeconds.toFixed(1)} s`);
    return { orders: count, events, seconds: (performance.now() - started) / 1000, indexSeconds };
  } finally {
    await client.close();
  }
}
