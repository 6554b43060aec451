/**
 * Round trips of the command path, counted with the driver's command monitoring on the write
 * connection's client (every command the service sends is one round trip): a placement makes at
 * most 5 (6 for a customer and products the instance has not read before: it remembers them), a
 * status change at most 4, and exactly one of them waits for the journal (the commit).
 * Only the commands sent while the request runs are counted, and only those of the request itself:
 * background readers (projection runtime, lag monitor) read `domain_events` and the checkpoints,
 * which no command of these requests reads (it only writes `domain_events`).
 */
import type { CommandStartedEvent, MongoClient } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { withEmbeddedServer } from '../helpers/embedded-server.js';
import { call, listen } from './helpers/http-client.js';
import { OrdersFixtures, type FixtureCustomer, type FixtureProduct } from './helpers/orders-fixtures.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { writeDb } from './helpers/write-model.js';

interface Sent {
  name: string;
  target: string;
  durable: boolean;
}

/** Collections only background work reads while a command runs. */
const BACKGROUND = new Set([
  'domain_events',
  'projection_checkpoints',
  'projection_failures',
  'projection_leases',
]);
const HEARTBEATS = new Set(['hello', 'isMaster', 'ping', 'endSessions']);

function describeCommand(e: CommandStartedEvent): Sent {
  const cmd = e.command as Record<string, unknown>;
  const target = typeof cmd[e.commandName] === 'string' ? (cmd[e.commandName] as string) : '';
  const wc = cmd.writeConcern as { w?: unknown; j?: unknown } | undefined;
  // The embedded server (like mongod) waits for the journal on j:true or w:'majority'; a command
  // without a write concern outside a transaction gets the default ({w:'majority'}).
  const inTxn = cmd.txnNumber !== undefined && cmd.autocommit === false;
  const isWrite = ['insert', 'update', 'delete', 'findAndModify', 'bulkWrite', 'commitTransaction'].includes(
    e.commandName,
  );
  const durable =
    isWrite &&
    (e.commandName === 'commitTransaction' || !inTxn) &&
    (wc === undefined || wc.j === true || wc.w === 'majority');
  return { name: e.commandName, target, durable };
}

describe('command path round trips (command monitoring)', () => {
  // The service's own clients on a server of this test, with command monitoring from the URI.
  const mongo = withEmbeddedServer();
  // The app closes (inner afterAll) before the server it uses stops (outer afterAll).
  describe('against the service', () => {
    let t: TestApp;
    let fx: OrdersFixtures;
    let base: string;
    let client: MongoClient;
    let sent: Sent[] | undefined;
    let customer: FixtureCustomer;
    let product: FixtureProduct;

    const listener = (e: CommandStartedEvent): void => {
      if (!sent || HEARTBEATS.has(e.commandName)) return;
      const d = describeCommand(e);
      const isRead = ['find', 'aggregate', 'count', 'getMore'].includes(e.commandName);
      if (isRead && (e.commandName === 'getMore' || BACKGROUND.has(d.target))) return;
      sent.push(d);
    };

    async function counted<T>(work: () => Promise<T>): Promise<{ value: T; sent: Sent[] }> {
      sent = [];
      try {
        const value = await work();
        return { value, sent };
      } finally {
        sent = undefined;
      }
    }

    beforeAll(async () => {
      const uri = `${mongo.uri}${mongo.uri.includes('?') ? '&' : '?'}monitorCommands=true`;
      t = await startTestApp({ MONGODB_URI: uri });
      fx = new OrdersFixtures(t);
      base = await listen(t.app);
      customer = await fx.customer(1);
      product = await fx.product('12.50', 1000);
      client = writeDb(t.app).getClient() as unknown as MongoClient;
      client.on('commandStarted', listener);
    }, 60_000);

    afterAll(async () => {
      client?.off('commandStarted', listener);
      await t?.close();
    }, 60_000);

    const place = () =>
      call(base, 'POST', '/api/orders', {
        token: customer.token,
        idempotencyKey: randomUUID(),
        body: {
          items: [{ productId: product.productId, quantity: 1 }],
          shippingAddressId: customer.addressIds[0],
          billingAddressId: customer.addressIds[0],
        },
      });

    const changeStatus = (orderId: string, status: string, version: number) =>
      call(base, 'PUT', `/api/orders/${orderId}/status`, {
        token: t.adminToken,
        idempotencyKey: randomUUID(),
        body: { status, version },
      });

    const durable = (sent: Sent[]): string[] => sent.filter((s) => s.durable).map((s) => s.name);
    const show = (what: string, sent: Sent[]): void =>
      void process.stderr.write(
        `[round-trips] ${what}: ${sent.length} ${sent.map((s) => `${s.name} ${s.target}`).join(', ')}\n`,
      );

    it('a placement: 6 round trips at most for a customer and products this instance has not seen yet, 5 at most after; one durable (the commit)', async () => {
      const first = await counted(place);
      show('first placement', first.sent);
      expect(first.value.status).toBe(202);
      expect(first.sent.length).toBeLessThanOrEqual(6);
      expect(durable(first.sent)).toEqual(['commitTransaction']);

      const again = await counted(place);
      show('placement', again.sent);
      expect(again.value.status).toBe(202);
      expect(again.sent.length).toBeLessThanOrEqual(5);
      expect(durable(again.sent)).toEqual(['commitTransaction']);
      // The claim of the key, then the transaction: nothing but reads before one bulkWrite and the commit.
      expect(again.sent[0]).toMatchObject({ name: 'insert', target: 'idempotency_keys' });
      expect(again.sent.slice(-2).map((s) => s.name)).toEqual(['bulkWrite', 'commitTransaction']);
    }, 60_000);

    it('a status change: at most 4 round trips, one durable (the commit), with and without stock moving', async () => {
      const placed = await place();
      expect(placed.status).toBe(202);
      const { id } = placed.body as { id: string; version: number };
      let version = (placed.body as { version: number }).version;
      for (const status of ['confirmed', 'shipped']) {
        const { value: res, sent } = await counted(() => changeStatus(id, status, version));
        show(status, sent);
        expect(res.status).toBe(202);
        version = (res.body as { version: number }).version;
        expect(sent.length).toBeLessThanOrEqual(4);
        expect(durable(sent)).toEqual(['commitTransaction']);
      }
      const other = await place();
      const cancelled = await counted(() =>
        call(base, 'POST', `/api/orders/${(other.body as { id: string }).id}/cancel`, {
          token: customer.token,
          idempotencyKey: randomUUID(),
          body: { version: (other.body as { version: number }).version },
        }),
      );
      show('cancelled', cancelled.sent);
      expect(cancelled.value.status).toBe(202);
      expect(cancelled.sent.length).toBeLessThanOrEqual(4);
      expect(durable(cancelled.sent)).toEqual(['commitTransaction']);
    }, 60_000);
  });
});
