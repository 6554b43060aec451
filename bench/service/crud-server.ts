/**
 * Baseline (b), run as a child process: the order-detail read two ways on one minimal stack
 * (node:http + the mongodb driver, no framework, no auth, no cache), so that their ratio isolates
 * the data path:
 *
 *   GET /crud/orders/:id   the CRUD way: one aggregation over the normalized write model ($match the
 *                          order, $lookup its customer, both addresses and every product)
 *   GET /read/orders/:id   the CQRS way: findOne on the denormalized read model (orders_read)
 *
 *   PORT=... MONGO_URI=... [WRITE_DB=app READ_DB=app_read] node dist/bench/service/crud-server.js
 */
import { createServer, type ServerResponse } from 'node:http';
import { MongoClient, type Document } from 'mongodb';

const port = Number(process.env.PORT);
const uri = process.env.MONGO_URI;
if (!Number.isInteger(port) || port <= 0 || !uri) {
  process.stderr.write('crud-server: PORT and MONGO_URI are required\n');
  process.exit(2);
}

/** The aggregation a CRUD service runs for the order-detail page. */
export function crudOrderPipeline(orderId: string): Document[] {
  const one = (from: string, localField: string, foreignField: string, as: string): Document[] => [
    { $lookup: { from, localField, foreignField, as } },
    { $unwind: { path: `$${as}`, preserveNullAndEmptyArrays: true } },
  ];
  return [
    { $match: { orderId } },
    ...one('customers', 'customerId', 'customerId', 'customer'),
    ...one('addresses', 'shippingAddressId', 'addressId', 'shippingAddress'),
    ...one('addresses', 'billingAddressId', 'addressId', 'billingAddress'),
    {
      $lookup: { from: 'products', localField: 'items.productId', foreignField: 'productId', as: 'products' },
    },
    {
      $project: {
        _id: 0,
        'customer._id': 0,
        'shippingAddress._id': 0,
        'billingAddress._id': 0,
        'products._id': 0,
      },
    },
  ];
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function main(): Promise<void> {
  const client = new MongoClient(uri!, { maxPoolSize: 64 });
  await client.connect();
  const write = client.db(process.env.WRITE_DB ?? 'app');
  const read = client.db(process.env.READ_DB ?? 'app_read');
  const orders = write.collection('orders');
  const ordersRead = read.collection<{ _id: string }>('orders_read');
  const route = /^\/(crud|read)\/orders\/([^/?]+)$/;
  createServer((req, res) => {
    req.resume();
    const m = route.exec(req.url ?? '');
    if (req.method !== 'GET' || !m)
      return send(res, 404, { statusCode: 404, code: 'NOT_FOUND', message: 'no route' });
    const id = decodeURIComponent(m[2]);
    const found =
      m[1] === 'crud' ? orders.aggregate(crudOrderPipeline(id)).next() : ordersRead.findOne({ _id: id });
    found.then(
      (doc) =>
        doc
          ? send(res, 200, doc)
          : send(res, 404, { statusCode: 404, code: 'NOT_FOUND', message: `order ${id}` }),
      (e: unknown) =>
        send(res, 500, {
          statusCode: 500,
          code: 'INTERNAL',
          message: e instanceof Error ? e.message : String(e),
        }),
    );
  }).listen(port, '127.0.0.1', () => process.stdout.write(`crud-server listening on ${port}\n`));
  const stop = (): void => {
    void client.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`crud-server: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
