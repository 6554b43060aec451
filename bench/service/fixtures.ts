/**
 * The seeded data the load needs: active products, active customers with their current addresses,
 * the seeded orders with their owners, and search words taken from the product names. Read from
 * the write model of a data directory (through an embedded server started on it), so nothing is
 * assumed about what the seed created.
 */
import { MongoClient } from 'mongodb';

export interface CustomerFixture {
  customerId: string;
  addressIds: string[];
}

export interface Fixtures {
  productIds: string[];
  customers: CustomerFixture[];
  orders: Array<{ orderId: string; customerId: string }>;
  searchWords: string[];
}

export async function readFixtures(uri: string, writeDb = 'app'): Promise<Fixtures> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  try {
    const db = client.db(writeDb);
    const products = await db
      .collection<{ productId: string; name: string; brand: string }>('products')
      .find({ status: 'active' }, { projection: { productId: 1, name: 1, brand: 1 } })
      .toArray();
    const customers = await db
      .collection<{ customerId: string }>('customers')
      .find({ status: 'active' }, { projection: { customerId: 1 } })
      .toArray();
    const addresses = await db
      .collection<{ customerId: string; addressId: string }>('addresses')
      .find({ removedAt: null }, { projection: { customerId: 1, addressId: 1 } })
      .toArray();
    const orders = await db
      .collection<{ orderId: string; customerId: string }>('orders')
      .find({}, { projection: { orderId: 1, customerId: 1 } })
      .toArray();
    const byCustomer = new Map<string, string[]>();
    for (const a of addresses)
      byCustomer.set(a.customerId, [...(byCustomer.get(a.customerId) ?? []), a.addressId]);
    // Words of product names and brands that several products share: realistic search terms.
    const counts = new Map<string, number>();
    for (const p of products)
      for (const w of `${p.name} ${p.brand}`.toLowerCase().split(/[^a-z]+/))
        if (w.length >= 4) counts.set(w, (counts.get(w) ?? 0) + 1);
    const searchWords = [...counts.entries()]
      .filter(([, n]) => n >= 3)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 40)
      .map(([w]) => w);
    const fixtures: Fixtures = {
      productIds: products.map((p) => p.productId),
      customers: customers
        .map((c) => ({ customerId: c.customerId, addressIds: byCustomer.get(c.customerId) ?? [] }))
        .filter((c) => c.addressIds.length > 0),
      orders: orders.map((o) => ({ orderId: o.orderId, customerId: o.customerId })),
      searchWords,
    };
    if (fixtures.productIds.length === 0 || fixtures.customers.length === 0 || fixtures.orders.length === 0)
      throw new Error('the seeded data has no products, customers or orders');
    return fixtures;
  } finally {
    await client.close();
  }
}
