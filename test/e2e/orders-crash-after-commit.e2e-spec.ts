/**
 * An acknowledged command never loses its events: they are written to `domain_events` in the
 * command's transaction, so when the process dies after the commit but before publishing on the
 * EventBus, the events are still in the log (the resync path of the read side delivers them).
 *
 * Two ways to die between commit and publish:
 * - in process: UnitOfWork.afterCommitHook throws, so publishAll is never reached;
 * - for real: a child process running the whole service on a durable data directory is SIGKILLed
 *   from the hook; the parent then reopens that directory and reads the log.
 */
import { CommandBus, EventBus } from '@nestjs/cqrs';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import request from 'supertest';
import { startEmbeddedMongo } from '../../src/embedded-mongo/index.js';
import { PlaceOrderCommand } from '../../src/modules/orders/orders.public.js';
import type { DomainEvent } from '../../src/shared/events/domain-event.js';
import { UnitOfWork } from '../../src/shared/persistence/unit-of-work.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { OrdersFixtures } from './helpers/orders-fixtures.js';
import type { CrashReport } from './helpers/place-order-then-crash.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { inventoryOf, inventoryViolations, writeDb } from './helpers/write-model.js';

describe('crash between commit and publish', () => {
  describe('in process (afterCommitHook throws)', () => {
    let t: TestApp;
    let published: DomainEvent<object>[];

    beforeAll(async () => {
      t = await startTestApp();
      published = [];
      t.app.get(EventBus).subscribe((e) => published.push(e as DomainEvent<object>));
    }, 60_000);

    afterAll(async () => {
      await t?.close();
    });

    it('place order: the request fails, nothing is published, yet the order, the reservation and all events are committed', async () => {
      const fx = new OrdersFixtures(t);
      const product = await fx.product('9.99', 5);
      const customer = await fx.customer(1);
      const uow = t.app.get(UnitOfWork);
      let seen: readonly DomainEvent<object>[] = [];
      uow.afterCommitHook = (events) => {
        seen = events;
        throw new Error('simulated crash after commit');
      };
      published.length = 0;
      let res;
      try {
        res = await request(t.http)
          .post('/api/orders')
          .set('Authorization', `Bearer ${customer.token}`)
          .send({
            items: [{ productId: product.productId, quantity: 2 }],
            shippingAddressId: customer.addressIds[0],
            billingAddressId: customer.addressIds[0],
          });
      } finally {
        uow.afterCommitHook = undefined;
      }
      expect(res.status).toBe(500);
      expect(published).toEqual([]);

      const placed = seen.find((e) => e.type === 'orders.order-placed');
      expect(placed).toBeDefined();
      const orderId = placed!.aggregateId;
      const stored = await writeDb(t.app)
        .collection('domain_events')
        .find({ eventId: { $in: seen.map((e) => e.eventId) } })
        .toArray();
      expect(stored.map((e) => e.type).sort()).toEqual(['catalog.stock-reserved', 'orders.order-placed']);
      expect(stored.find((e) => e.type === 'orders.order-placed')).toMatchObject({
        aggregateId: orderId,
        aggregateVersion: 1,
        payload: { orderId, customerId: customer.customerId, total: '27.57' },
      });
      expect(await writeDb(t.app).collection('orders').findOne({ orderId })).toMatchObject({
        status: 'pending',
        version: 1,
      });
      expect(await inventoryOf(t.app, product.productId)).toEqual({ quantity: 3, reserved: 2 });
      expect(await inventoryViolations(t.app)).toEqual([]);

      // Without the hook the same path publishes (so "nothing published" above is a real observation).
      await request(t.http)
        .post(`/api/orders/${orderId}/cancel`)
        .set('Authorization', `Bearer ${customer.token}`)
        .expect(202);
      expect(published.map((e) => e.type)).toContain('orders.order-cancelled');
    });

    it('update status: same guarantee for the shipped event and the consumed stock', async () => {
      const fx = new OrdersFixtures(t);
      const product = await fx.product('1.00', 5);
      const customer = await fx.customer(1);
      const { id: orderId } = await t.app
        .get(CommandBus)
        .execute(
          new PlaceOrderCommand(
            customer.customerId,
            [{ productId: product.productId, quantity: 1 }],
            customer.addressIds[0],
            customer.addressIds[0],
            'crash-test',
          ),
        );
      const admin = `Bearer ${t.adminToken}`;
      await request(t.http)
        .put(`/api/orders/${orderId}/status`)
        .set('Authorization', admin)
        .send({ status: 'confirmed', version: 1 })
        .expect(202);
      const uow = t.app.get(UnitOfWork);
      uow.afterCommitHook = () => {
        throw new Error('simulated crash after commit');
      };
      published.length = 0;
      try {
        await request(t.http)
          .put(`/api/orders/${orderId}/status`)
          .set('Authorization', admin)
          .send({ status: 'shipped', version: 2 })
          .expect(500);
      } finally {
        uow.afterCommitHook = undefined;
      }
      expect(published).toEqual([]);
      const log = await writeDb(t.app)
        .collection('domain_events')
        .find({ $or: [{ aggregateId: orderId }, { 'payload.orderId': orderId }] })
        .toArray();
      expect(log.map((e) => e.type).sort()).toEqual([
        'catalog.stock-consumed',
        'catalog.stock-reserved',
        'orders.order-confirmed',
        'orders.order-placed',
        'orders.order-shipped',
      ]);
      expect(await inventoryOf(t.app, product.productId)).toEqual({ quantity: 4, reserved: 0 });
    });
  });

  describe('a real process death (SIGKILL in a child running the service on disk)', () => {
    const child = path.resolve('dist/test/e2e/helpers/place-order-then-crash.js');
    let dir: string;

    beforeAll(async () => {
      dir = await makeTempDir('orders-crash');
    });

    afterAll(async () => {
      await removeTempDir(dir);
    });

    it('after the SIGKILL, the order and its events are on disk', async () => {
      if (!existsSync(child))
        throw new Error(`${child} is missing: run \`npm run build\` before the e2e tier`);
      const source = path.resolve('test/e2e/helpers/place-order-then-crash.ts');
      if (statSync(source).mtimeMs > statSync(child).mtimeMs)
        process.stderr.write('warning: place-order-then-crash.ts is newer than dist/: run `npm run build`\n');
      const dbPath = path.join(dir, 'db');
      const reportFile = path.join(dir, 'report.json');
      const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
        (resolve) => {
          const p = spawn(process.execPath, ['--enable-source-maps', child, dbPath, reportFile], {
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let stderr = '';
          p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          p.on('exit', (code, signal) => resolve({ code, signal, stderr }));
        },
      );
      expect({
        signal: exit.signal,
        stderr: exit.stderr.split('\n').filter((l) => l.startsWith('place-order')),
      }).toEqual({
        signal: 'SIGKILL',
        stderr: [],
      });
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as CrashReport;
      expect(report.events.map((e) => e.type).sort()).toEqual([
        'catalog.stock-reserved',
        'orders.order-placed',
      ]);

      const server = await startEmbeddedMongo({ dbPath, logLevel: 'error' });
      const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
      try {
        const db = client.db('app');
        const stored = await db
          .collection('domain_events')
          .find({ eventId: { $in: report.events.map((e) => e.eventId) } })
          .toArray();
        expect(stored.map((e) => [e.type, e.aggregateId, e.aggregateVersion]).sort()).toEqual(
          report.events.map((e) => [e.type, e.aggregateId, e.aggregateVersion]).sort(),
        );
        expect(await db.collection('orders').findOne({ orderId: report.orderId })).toMatchObject({
          customerId: report.customerId,
          status: 'pending',
          version: 1,
        });
        expect(await db.collection('products').findOne({ productId: report.productId })).toMatchObject({
          inventory: { quantity: 3, reserved: 2 },
        });
      } finally {
        await client.close();
        await server.stop();
      }
    }, 60_000);
  });
});
