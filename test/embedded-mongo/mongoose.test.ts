/**
 * Mongoose 9 against the embedded server: the Mongoose suite (indexes declared in schemas,
 * Decimal128 prices, queries, upserts, counts, aggregation, bulkWrite, optimistic concurrency).
 * Transactions live in mongoose-transactions.test.ts.
 */
import mongoose, { Schema, Types, type Connection, type Model } from 'mongoose';
import { withEmbeddedServer } from '../helpers/embedded-server.js';

const mongo = withEmbeddedServer();

interface Product {
  sku: string;
  name: string;
  category: string;
  price: Types.Decimal128;
  stock: number;
}

interface Customer {
  email: string;
  name: string;
  tier: string;
  visits: number;
}

interface OrderLine {
  sku: string;
  qty: number;
  price: Types.Decimal128;
}

interface Order {
  customer: Types.ObjectId;
  number: number;
  lines: OrderLine[];
  total: Types.Decimal128;
  status: 'placed' | 'shipped';
}

const productSchema = new Schema<Product>({
  sku: { type: String, required: true, unique: true },
  name: { type: String, required: true },
  category: { type: String, required: true },
  price: { type: Schema.Types.Decimal128, required: true },
  stock: { type: Number, default: 0 },
});
productSchema.index({ category: 1, price: -1 });

const customerSchema = new Schema<Customer>(
  {
    email: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    tier: { type: String, default: 'standard' },
    visits: { type: Number, default: 0 },
  },
  { optimisticConcurrency: true },
);

const orderSchema = new Schema<Order>({
  customer: { type: Schema.Types.ObjectId, ref: 'Customer', required: true },
  number: { type: Number, required: true },
  lines: [
    new Schema<OrderLine>(
      { sku: String, qty: Number, price: { type: Schema.Types.Decimal128 } },
      { _id: false },
    ),
  ],
  total: { type: Schema.Types.Decimal128, required: true },
  status: { type: String, enum: ['placed', 'shipped'], default: 'placed' },
});
orderSchema.index({ customer: 1, number: 1 }, { unique: true });

let conn: Connection;
let Products: Model<Product>;
let Customers: Model<Customer>;
let Orders: Model<Order>;

const dec = (value: string): Types.Decimal128 => Types.Decimal128.fromString(value);

/** Mongoose surfaces server errors as the driver's MongoServerError; compare the numeric code. */
async function expectCode(work: Promise<unknown>, code: number): Promise<void> {
  let caught: unknown;
  try {
    await work;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(Error);
  expect((caught as { code?: unknown }).code).toBe(code);
}

beforeAll(async () => {
  conn = await mongoose
    .createConnection(mongo.uri, { dbName: 'shop', serverSelectionTimeoutMS: 5000 })
    .asPromise();
  Products = conn.model<Product>('Product', productSchema);
  Customers = conn.model<Customer>('Customer', customerSchema);
  Orders = conn.model<Order>('Order', orderSchema);
  await Promise.all([Products.init(), Customers.init(), Orders.init()]);
}, 30_000);

afterAll(async () => {
  await conn?.close(true);
});

describe('indexes declared in schemas', () => {
  it('init() creates the unique and compound indexes', async () => {
    const productIndexes = await Products.collection.listIndexes().toArray();
    expect(
      productIndexes
        .map((i) => ({ key: i.key, unique: i.unique === true }))
        .sort((a, b) => JSON.stringify(a.key).localeCompare(JSON.stringify(b.key))),
    ).toEqual([
      { key: { _id: 1 }, unique: false },
      { key: { category: 1, price: -1 }, unique: false },
      { key: { sku: 1 }, unique: true },
    ]);
    const orderIndexes = await Orders.collection.listIndexes().toArray();
    expect(orderIndexes.find((i) => i.name === 'customer_1_number_1')).toMatchObject({
      key: { customer: 1, number: 1 },
      unique: true,
    });
  });

  it('syncIndexes drops indexes the schema no longer declares and keeps the rest', async () => {
    await Products.collection.createIndex({ name: 1 });
    const dropped = await Products.syncIndexes();
    expect(dropped).toEqual(['name_1']);
    const names = (await Products.collection.listIndexes().toArray()).map((i) => i.name).sort();
    expect(names).toEqual(['_id_', 'category_1_price_-1', 'sku_1']);
  });

  it('a duplicate unique key is rejected with 11000 (single and compound)', async () => {
    await Products.create({ sku: 'DUP-1', name: 'a', category: 'x', price: '1.00' });
    await expectCode(Products.create({ sku: 'DUP-1', name: 'b', category: 'x', price: '2.00' }), 11000);
    expect(await Products.countDocuments({ sku: 'DUP-1' })).toBe(1);

    const customer = await Customers.create({ email: 'dup@x', name: 'Dup' });
    const order = { customer: customer._id, number: 1, lines: [], total: dec('0') };
    await Orders.create(order);
    await Orders.create({ ...order, number: 2 });
    await expectCode(Orders.create(order), 11000);
    expect(await Orders.countDocuments({ customer: customer._id })).toBe(2);
  });
});

describe('Decimal128 prices', () => {
  it('round-trip exactly and sum exactly in $group', async () => {
    await Products.create([
      { sku: 'D-1', name: 'pen', category: 'dec', price: '19.99', stock: 1 },
      { sku: 'D-2', name: 'ink', category: 'dec', price: '19.99', stock: 1 },
      { sku: 'D-3', name: 'pad', category: 'dec', price: dec('19.99'), stock: 1 },
      { sku: 'D-4', name: 'tip', category: 'dec', price: '0.10', stock: 1 },
      { sku: 'D-5', name: 'cap', category: 'dec', price: '0.20', stock: 1 },
    ]);
    const pen = await Products.findOne({ sku: 'D-1' });
    expect(pen?.price).toBeInstanceOf(Types.Decimal128);
    expect(pen?.price.toString()).toBe('19.99');

    const [sum] = await Products.aggregate<{ total: Types.Decimal128; n: number }>([
      { $match: { category: 'dec' } },
      { $group: { _id: null, total: { $sum: '$price' }, n: { $sum: 1 } } },
    ]);
    expect(sum.n).toBe(5);
    expect(sum.total.toString()).toBe('60.27');

    const cheap = await Products.find({ category: 'dec', price: { $lt: dec('0.15') } }).lean();
    expect(cheap.map((p) => p.sku)).toEqual(['D-4']);
    const sorted = await Products.find({ category: 'dec' }).sort({ price: 1, sku: 1 }).lean();
    expect(sorted.map((p) => p.sku)).toEqual(['D-4', 'D-5', 'D-1', 'D-2', 'D-3']);
  });
});

describe('queries', () => {
  beforeAll(async () => {
    await Products.insertMany(
      Array.from({ length: 20 }, (_, i) => ({
        sku: `Q-${String(i).padStart(2, '0')}`,
        name: `item ${String(19 - i).padStart(2, '0')}`,
        category: i % 2 === 0 ? 'even' : 'odd',
        price: `${i}.50`,
        stock: i,
      })),
    );
  });

  it('find with sort, skip and limit', async () => {
    const page = await Products.find({ category: 'even' }).sort({ name: 1 }).skip(2).limit(3).lean();
    // even i: 0..18; names are 19-i: 19,17,...,01 -> sorted ascending: 01 (i=18), 03 (16), 05 (14), 07 (12), ...
    expect(page.map((p) => p.sku)).toEqual(['Q-14', 'Q-12', 'Q-10']);
    const top = await Products.find({ sku: /^Q-/ }, { sku: 1, _id: 0 }).sort({ stock: -1 }).limit(2).lean();
    expect(top).toEqual([{ sku: 'Q-19' }, { sku: 'Q-18' }]);
  });

  it('countDocuments and estimatedDocumentCount', async () => {
    expect(await Products.countDocuments({ sku: /^Q-/ })).toBe(20);
    expect(await Products.countDocuments({ sku: /^Q-/, stock: { $gte: 15 } })).toBe(5);
    expect(await Products.estimatedDocumentCount()).toBe(await Products.countDocuments());
  });

  it('findOneAndUpdate with upsert creates then updates, applying schema defaults on insert', async () => {
    const created = await Customers.findOneAndUpdate(
      { email: 'new@x' },
      { $set: { name: 'New' }, $inc: { visits: 1 } },
      { upsert: true, returnDocument: 'after', setDefaultsOnInsert: true },
    );
    expect(created).not.toBeNull();
    expect({
      email: created?.email,
      name: created?.name,
      tier: created?.tier,
      visits: created?.visits,
    }).toEqual({
      email: 'new@x',
      name: 'New',
      tier: 'standard',
      visits: 1,
    });
    const updated = await Customers.findOneAndUpdate(
      { email: 'new@x' },
      { $set: { name: 'Renamed' }, $inc: { visits: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(updated?._id.equals(created?._id)).toBe(true);
    expect(updated?.visits).toBe(2);
    expect(await Customers.countDocuments({ email: 'new@x' })).toBe(1);
  });

  it('optimistic concurrency: a stale save fails with VersionError', async () => {
    const customer = await Customers.create({ email: 'occ@x', name: 'Occ' });
    const a = await Customers.findById(customer._id).orFail();
    const b = await Customers.findById(customer._id).orFail();
    a.name = 'first';
    await a.save();
    b.name = 'second';
    await expect(b.save()).rejects.toBeInstanceOf(mongoose.Error.VersionError);
    expect((await Customers.findById(customer._id).lean())?.name).toBe('first');
  });
});

describe('aggregate with $group and $lookup', () => {
  it('totals orders per customer and joins the customer', async () => {
    const [ann, bob] = await Customers.create([
      { email: 'ann@agg', name: 'Ann' },
      { email: 'bob@agg', name: 'Bob' },
    ]);
    await Orders.create([
      { customer: ann._id, number: 1, total: '10.10', lines: [{ sku: 'a', qty: 1, price: '10.10' }] },
      { customer: ann._id, number: 2, total: '0.20', lines: [{ sku: 'b', qty: 2, price: '0.10' }] },
      { customer: bob._id, number: 1, total: '5.00', lines: [], status: 'shipped' },
    ]);
    const rows = await Orders.aggregate<{ name: string; orders: number; spent: Types.Decimal128 }>([
      { $match: { customer: { $in: [ann._id, bob._id] } } },
      { $group: { _id: '$customer', orders: { $sum: 1 }, spent: { $sum: '$total' } } },
      {
        $lookup: {
          from: Customers.collection.collectionName,
          localField: '_id',
          foreignField: '_id',
          as: 'c',
        },
      },
      { $unwind: '$c' },
      { $project: { _id: 0, name: '$c.name', orders: 1, spent: 1 } },
      { $sort: { name: 1 } },
    ]);
    expect(rows.map((r) => ({ name: r.name, orders: r.orders, spent: r.spent.toString() }))).toEqual([
      { name: 'Ann', orders: 2, spent: '10.30' },
      { name: 'Bob', orders: 1, spent: '5.00' },
    ]);
    const populated = await Orders.find({ customer: ann._id })
      .sort({ number: 1 })
      .populate<{ customer: Customer }>('customer');
    expect(populated.map((o) => o.customer.name)).toEqual(['Ann', 'Ann']);
  });
});

describe('bulkWrite', () => {
  it('applies mixed operations and reports the counts', async () => {
    await Products.create([
      { sku: 'B-1', name: 'one', category: 'bulk', price: '1.00', stock: 1 },
      { sku: 'B-2', name: 'two', category: 'bulk', price: '2.00', stock: 2 },
    ]);
    const res = await Products.bulkWrite([
      {
        insertOne: {
          document: { sku: 'B-3', name: 'three', category: 'bulk', price: dec('3.00'), stock: 3 },
        },
      },
      { updateOne: { filter: { sku: 'B-1' }, update: { $inc: { stock: 10 } } } },
      {
        updateOne: {
          filter: { sku: 'B-9' },
          update: { $set: { name: 'nine', category: 'bulk', price: dec('9.00') } },
          upsert: true,
        },
      },
      { deleteOne: { filter: { sku: 'B-2' } } },
    ]);
    expect({
      inserted: res.insertedCount,
      matched: res.matchedCount,
      modified: res.modifiedCount,
      deleted: res.deletedCount,
      upserted: res.upsertedCount,
    }).toEqual({ inserted: 1, matched: 1, modified: 1, deleted: 1, upserted: 1 });
    const rows = await Products.find({ category: 'bulk' }).sort({ sku: 1 }).lean();
    expect(rows.map((r) => [r.sku, r.name])).toEqual([
      ['B-1', 'one'],
      ['B-3', 'three'],
      ['B-9', 'nine'],
    ]);
    expect(rows[0].stock).toBe(11);
  });

  it('an unordered bulkWrite with a duplicate key applies the rest', async () => {
    let caught: unknown;
    try {
      await Products.bulkWrite(
        [
          { insertOne: { document: { sku: 'U-1', name: 'u', category: 'ubulk', price: dec('1') } } },
          { insertOne: { document: { sku: 'U-1', name: 'u', category: 'ubulk', price: dec('1') } } },
          { insertOne: { document: { sku: 'U-2', name: 'u', category: 'ubulk', price: dec('1') } } },
        ],
        { ordered: false },
      );
    } catch (err) {
      caught = err;
    }
    expect((caught as { code?: unknown } | undefined)?.code).toBe(11000);
    expect(await Products.countDocuments({ category: 'ubulk' })).toBe(2);
  });
});
