/**
 * Executes the demo plan (demo-plan.ts) inside a running application, ALL through the CommandBus:
 * products (catalog), customers and their addresses (customers), then orders with their status
 * histories (orders). Nothing writes a collection directly, so every rule, event and invariant of
 * the service applies to the demo data exactly as to API traffic.
 *
 * Concurrency: up to `concurrency` commands at a time (each order's own history runs in sequence).
 * The plan gives every product enough stock for all its orders, so the result does not depend on
 * the interleaving: the same seed, sizes and anchor give the same write model.
 *
 * Stopping (`signal`, aborted by a shutdown): no new command starts; the ones running finish, then
 * the seed rejects with SeedStopped. What was added stays (every command is its own transaction).
 */
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { CreateProductCommand } from '../modules/catalog/catalog.public.js';
import { AddAddressCommand } from '../modules/customers/commands/add-address/add-address.command.js';
import { RegisterCustomerCommand } from '../modules/customers/commands/register-customer/register-customer.command.js';
import {
  CancelOrderCommand,
  PlaceOrderCommand,
  UpdateOrderStatusCommand,
  type OrderStatus,
} from '../modules/orders/orders.public.js';
import { WRITE_CONNECTION } from '../shared/persistence/connections.js';
import {
  checkPlan,
  DEFAULT_SIZES,
  finalStatus,
  planDemoData,
  startOfUtcDay,
  type DemoPlan,
  type DemoSizes,
  type PlannedOrder,
} from './demo-plan.js';

export interface SeedOptions extends Partial<DemoSizes> {
  seed: number;
  /** Default: the start of the current UTC day. */
  anchor?: Date;
  /** Commands in flight at once; default DEFAULT_CONCURRENCY. */
  concurrency?: number;
  /** Progress lines (every 10 %); default: the Nest logger. */
  log?: (line: string) => void;
  /** Aborted: stop between two commands (see the header). */
  signal?: AbortSignal;
}

/** The seed was stopped by its signal between two commands; the commands done are kept. */
export class SeedStopped extends Error {
  constructor(
    readonly done: number,
    readonly total: number,
  ) {
    super(`demo data stopped after ${done} of ${total} commands`);
    this.name = 'SeedStopped';
  }
}

export interface SeedReport {
  seed: number;
  anchor: string;
  products: number;
  customers: number;
  addresses: number;
  orders: number;
  ordersByStatus: Record<OrderStatus, number>;
  commands: number;
  ms: number;
}

// Measured (README "Demo data"): 3 is the fastest on the embedded server, which shares the process
// with the app; more commands in flight mostly add write conflicts on popular products and the
// driver's withTransaction backoff.
export const DEFAULT_CONCURRENCY = 3;

/**
 * Runs `fn` over `items` with at most `limit` calls in flight; rejects on the first failure. Once
 * `signal` is aborted no call starts; the running ones finish.
 */
async function pool<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal | undefined,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (next < items.length && failed === undefined && !signal?.aborted) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed !== undefined) throw failed;
}

class Progress {
  done = 0;
  private lastDecile = 0;
  private readonly started = Date.now();

  constructor(
    private readonly total: number,
    private readonly log: (line: string) => void,
  ) {}

  tick(what: string): void {
    this.done++;
    const decile = Math.floor((this.done * 10) / this.total);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      const s = ((Date.now() - this.started) / 1000).toFixed(1);
      this.log(`seed: ${decile * 10}% (${this.done}/${this.total} commands, ${s} s, now: ${what})`);
    }
  }
}

export async function seedDemoData(app: INestApplicationContext, options: SeedOptions): Promise<SeedReport> {
  const started = Date.now();
  const logger = new Logger('Seed');
  const log = options.log ?? ((line: string) => logger.log(line));
  const anchor = options.anchor ?? startOfUtcDay();
  const sizes: DemoSizes = {
    products: options.products ?? DEFAULT_SIZES.products,
    customers: options.customers ?? DEFAULT_SIZES.customers,
    orders: options.orders ?? DEFAULT_SIZES.orders,
  };
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const plan: DemoPlan = planDemoData({ seed: options.seed, anchor, ...sizes });
  checkPlan(plan);

  const bus = app.get(CommandBus);
  const correlationId = `seed-${options.seed}`;
  const addresses = plan.customers.reduce((n, c) => n + c.addresses.length, 0);
  const steps = plan.orders.reduce((n, o) => n + o.steps.length, 0);
  const total = plan.products.length + plan.customers.length + addresses + plan.orders.length + steps;
  log(
    `seed ${options.seed}: ${plan.products.length} products, ${plan.customers.length} customers ` +
      `(${addresses} addresses), ${plan.orders.length} orders (${steps} status changes) = ${total} commands, ` +
      `${concurrency} at a time`,
  );
  const progress = new Progress(total, log);
  const signal = options.signal;
  const stopped = (): SeedStopped => new SeedStopped(progress.done, total);

  await pool(plan.products, concurrency, signal, async (p) => {
    await bus.execute(
      new CreateProductCommand(
        {
          productId: p.productId,
          sku: p.sku,
          name: p.name,
          description: p.description,
          brand: p.brand,
          category: p.category,
          price: p.price,
          images: p.images,
          features: p.features,
          quantity: p.quantity,
        },
        correlationId,
      ),
    );
    progress.tick('products');
  });
  if (signal?.aborted) throw stopped();

  await pool(plan.customers, concurrency, signal, async (c) => {
    await bus.execute(
      new RegisterCustomerCommand(
        { customerId: c.customerId, name: c.name, email: c.email, phone: c.phone, vipStatus: c.vipStatus },
        correlationId,
      ),
    );
    progress.tick('customers');
    for (const a of c.addresses) {
      if (signal?.aborted) return;
      await bus.execute(new AddAddressCommand(c.customerId, { ...a }, undefined, correlationId));
      progress.tick('customers');
    }
  });
  if (signal?.aborted) throw stopped();

  const runOrder = async (o: PlannedOrder): Promise<void> => {
    const placed = await bus.execute(
      new PlaceOrderCommand(o.customerId, o.items, o.shippingAddressId, o.billingAddressId, correlationId, {
        orderId: o.orderId,
        placedAt: o.placedAt,
      }),
    );
    progress.tick('orders');
    let version = placed.version;
    for (const step of o.steps) {
      if (signal?.aborted) return;
      const result =
        step.status === 'cancelled'
          ? await bus.execute(
              new CancelOrderCommand(
                o.orderId,
                step.by === 'customer' ? { role: 'customer', customerId: o.customerId } : { role: 'admin' },
                correlationId,
                null,
                version,
                { at: step.at },
              ),
            )
          : await bus.execute(
              new UpdateOrderStatusCommand(o.orderId, step.status, version, correlationId, { at: step.at }),
            );
      version = result.version;
      progress.tick('orders');
    }
  };
  await pool(plan.orders, concurrency, signal, runOrder);
  if (signal?.aborted) throw stopped();

  await waitForDeliveredPurchases(app, plan, log, signal);
  if (signal?.aborted) throw stopped();

  const ordersByStatus: Record<OrderStatus, number> = {
    pending: 0,
    confirmed: 0,
    shipped: 0,
    delivered: 0,
    cancelled: 0,
  };
  for (const o of plan.orders) ordersByStatus[finalStatus(o)]++;
  const report: SeedReport = {
    seed: options.seed,
    anchor: anchor.toISOString(),
    products: plan.products.length,
    customers: plan.customers.length,
    addresses,
    orders: plan.orders.length,
    ordersByStatus,
    commands: total,
    ms: Date.now() - started,
  };
  log(
    `seed ${options.seed}: done in ${(report.ms / 1000).toFixed(1)} s: ${report.products} products, ` +
      `${report.customers} customers, ${report.orders} orders ` +
      `(${Object.entries(ordersByStatus)
        .map(([s, n]) => `${n} ${s}`)
        .join(', ')})`,
  );
  return report;
}

/**
 * The catalog records "who received what" (its review rule) from `orders.order-delivered` events,
 * asynchronously on the EventBus. Before the caller may close the app, wait until those commands
 * have landed, so that a seed run from the CLI does not stop them halfway.
 */
async function waitForDeliveredPurchases(
  app: INestApplicationContext,
  plan: DemoPlan,
  log: (line: string) => void,
  signal: AbortSignal | undefined,
  timeoutMs = 30_000,
): Promise<void> {
  const pairs = new Set<string>();
  for (const o of plan.orders)
    if (o.steps.some((s) => s.status === 'delivered'))
      for (const i of o.items) pairs.add(`${o.customerId}/${i.productId}`);
  if (pairs.size === 0) return;
  const collection = app
    .get<Connection>(getConnectionToken(WRITE_CONNECTION))
    .collection('delivered_purchases');
  const deadline = Date.now() + timeoutMs;
  let count = 0;
  while (Date.now() < deadline && !signal?.aborted) {
    count = await collection.countDocuments();
    if (count >= pairs.size) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (signal?.aborted) return;
  log(`seed: only ${count} of ${pairs.size} delivered purchases were recorded after ${timeoutMs} ms`);
}

/** True when the write model has no products yet (the first start on an empty database). */
export async function isEmptyDatabase(app: INestApplicationContext): Promise<boolean> {
  const db = app.get<Connection>(getConnectionToken(WRITE_CONNECTION));
  return (await db.collection('products').countDocuments({}, { limit: 1 })) === 0;
}
