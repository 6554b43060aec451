/**
 * The mixed load of a chaos run: fixtures (customers with an address, plentiful and scarce
 * products) and workers that keep sending orders, status changes, cancels, product and inventory
 * updates, profile and address updates, and queries, each command with its own Idempotency-Key,
 * every answer recorded in the ledger. Scarce products make 409 OUT_OF_STOCK answers happen, so
 * rejected commands are checked too.
 */
import { Prng } from '../../../src/seed/prng.js';
import { adminToken, customerToken, sendCommand, sendQuery, type CommandRequest } from './http-client.js';
import type { CommandKind, Ledger } from './ledger.js';

export interface Customer {
  customerId: string;
  addressId: string;
  token: string;
}

export interface Fixtures {
  customers: Customer[];
  plentiful: string[];
  scarce: string[];
}

export interface LoadOptions {
  runId: string;
  workers: number;
  seed: number;
  /** Base URLs of the live service instances (read at every attempt: instances come and go). */
  endpoints: () => string[];
  /** How long a command is retried with its key before it counts as unresolved. */
  retryBudgetMs: number;
}

interface TrackedOrder {
  orderId: string;
  customer: Customer;
  status: 'pending' | 'confirmed' | 'shipped';
}

const NEXT_STATUS = { pending: 'confirmed', confirmed: 'shipped', shipped: 'delivered' } as const;

/** Creates the customers and products the load works on (through the API, retried like any command). */
export async function createFixtures(
  opts: LoadOptions,
  counts = { customers: 6, plentiful: 8, scarce: 2 },
): Promise<Fixtures> {
  const admin = adminToken();
  let n = 0;
  const must = async (req: Omit<CommandRequest, 'key'>): Promise<string> => {
    const key = `${opts.runId}-fixture-${++n}`;
    const answer = await sendCommand(pickFrom(opts, n), { ...req, key }, opts.retryBudgetMs);
    if (answer.outcome !== 'acknowledged' || typeof answer.body.id !== 'string')
      throw new Error(
        `fixture ${req.method} ${req.path} failed: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    return answer.body.id;
  };
  // In parallel: fixtures are set-up, not load.
  const customers = await Promise.all(
    Array.from({ length: counts.customers }, async (_, i): Promise<Customer> => {
      const customerId = await must({
        method: 'POST',
        path: '/api/customers',
        token: admin,
        body: { name: `Chaos Customer ${i}`, email: `chaos-${opts.runId}-${i}@example.com`.toLowerCase() },
      });
      const token = customerToken(customerId);
      const addressId = await must({
        method: 'POST',
        path: `/api/customers/${customerId}/addresses`,
        token,
        body: {
          label: 'Home',
          line1: `${i} Chaos Street`,
          city: 'Springfield',
          postalCode: '12345',
          country: 'US',
        },
      });
      return { customerId, addressId, token };
    }),
  );
  const product = (i: number, quantity: number, kind: string): Promise<string> =>
    must({
      method: 'POST',
      path: '/api/products',
      token: admin,
      body: {
        sku: `CHAOS-${opts.runId}-${kind}-${i}`.toUpperCase(),
        name: `Chaos ${kind} ${i}`,
        brand: 'Chaos',
        category: ['Test', 'Chaos'],
        price: `${10 + i}.99`,
        quantity,
      },
    });
  const plentiful = await Promise.all(
    Array.from({ length: counts.plentiful }, (_, i) => product(i, 1_000_000, 'plenty')),
  );
  const scarce = await Promise.all(Array.from({ length: counts.scarce }, (_, i) => product(i, 4, 'scarce')));
  return { customers, plentiful, scarce };
}

function pickFrom(opts: LoadOptions, salt: number): (attempt: number) => string {
  return (attempt) => {
    const live = opts.endpoints();
    if (live.length === 0) throw new Error('no service endpoint');
    return live[(salt + attempt) % live.length];
  };
}

const WEIGHTS: [Op, number][] = [];
type Op = 'place' | 'status' | 'cancel' | 'product' | 'inventory' | 'profile' | 'address' | 'query';
WEIGHTS.push(['place', 30], ['status', 22], ['cancel', 6], ['product', 8], ['inventory', 8]);
WEIGHTS.push(['profile', 7], ['address', 6], ['query', 13]);
const TOTAL_WEIGHT = WEIGHTS.reduce((s, [, w]) => s + w, 0);

export class LoadGenerator {
  private stopping = false;
  private workers: Promise<void>[] = [];
  private readonly orders: TrackedOrder[] = [];
  private seq = 0;
  private readonly admin = adminToken();

  constructor(
    private readonly fixtures: Fixtures,
    private readonly ledger: Ledger,
    private readonly opts: LoadOptions,
  ) {}

  start(): void {
    this.stopping = false;
    for (let w = 0; w < this.opts.workers; w++)
      this.workers.push(this.work(new Prng(this.opts.seed * 31 + w)));
  }

  /** Lets every command in flight finish (with its retries), then resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers);
    this.workers = [];
  }

  private async work(rng: Prng): Promise<void> {
    while (!this.stopping) {
      let r = rng.next() * TOTAL_WEIGHT;
      let op: Op = 'query';
      for (const [name, w] of WEIGHTS) {
        if (r < w) {
          op = name;
          break;
        }
        r -= w;
      }
      try {
        await this.run(op, rng);
      } catch (e) {
        // A bug in the generator itself must not pass silently.
        this.stopping = true;
        throw e;
      }
    }
  }

  private async run(op: Op, rng: Prng): Promise<void> {
    const f = this.fixtures;
    switch (op) {
      case 'place':
        return this.placeOrder(rng);
      case 'status':
        return this.advanceOrder(rng);
      case 'cancel':
        return this.cancelOrder(rng);
      case 'product': {
        const productId = rng.pick([...f.plentiful, ...f.scarce]);
        const n = this.seq + 1;
        return void (await this.command('update-product', productId, 'catalog.product-updated', {
          method: 'PATCH',
          path: `/api/products/${productId}`,
          token: this.admin,
          body: {
            name: `Chaos product rev ${n}`,
            price: `${rng.int(5, 500)}.${String(rng.int(0, 99)).padStart(2, '0')}`,
          },
        }));
      }
      case 'inventory': {
        const scarce = rng.chance(0.5);
        const productId = rng.pick(scarce ? f.scarce : f.plentiful);
        const delta = scarce ? rng.int(1, 3) : rng.pick([-3, -1, 2, 5]);
        return void (await this.command('adjust-inventory', productId, 'catalog.inventory-adjusted', {
          method: 'POST',
          path: `/api/products/${productId}/inventory`,
          token: this.admin,
          body: { delta, reason: 'chaos' },
        }));
      }
      case 'profile': {
        const c = rng.pick(f.customers);
        return void (await this.command(
          'update-profile',
          c.customerId,
          'customers.customer-profile-updated',
          {
            method: 'PATCH',
            path: `/api/customers/${c.customerId}`,
            token: c.token,
            body: { name: `Chaos Customer rev ${this.seq + 1}` },
          },
        ));
      }
      case 'address': {
        const c = rng.pick(f.customers);
        return void (await this.command('update-address', c.customerId, 'customers.address-updated', {
          method: 'PATCH',
          path: `/api/customers/${c.customerId}/addresses/${c.addressId}`,
          token: c.token,
          body: { line1: `${this.seq + 1} Chaos Street` },
        }));
      }
      case 'query':
        return this.query(rng);
    }
  }

  private async placeOrder(rng: Prng): Promise<void> {
    const c = rng.pick(this.fixtures.customers);
    const lines = new Map<string, number>();
    const count = rng.int(1, 3);
    for (let i = 0; i < count; i++) {
      const pool = rng.chance(0.25) ? this.fixtures.scarce : this.fixtures.plentiful;
      lines.set(rng.pick(pool), rng.int(1, 3));
    }
    const items = [...lines].map(([productId, quantity]) => ({ productId, quantity }));
    const entry = await this.command(
      'place-order',
      undefined,
      'orders.order-placed',
      {
        method: 'POST',
        path: '/api/orders',
        token: c.token,
        body: { items, shippingAddressId: c.addressId, billingAddressId: c.addressId },
      },
      { items, customerId: c.customerId },
    );
    if (entry.outcome === 'acknowledged' && entry.id)
      this.orders.push({ orderId: entry.id, customer: c, status: 'pending' });
  }

  /** Takes an order out of the pool while one worker changes it (no two workers race on one order). */
  private checkout(rng: Prng, statuses: TrackedOrder['status'][]): TrackedOrder | undefined {
    const candidates = this.orders.filter((o) => statuses.includes(o.status));
    if (candidates.length === 0) return undefined;
    const order = rng.pick(candidates);
    this.orders.splice(this.orders.indexOf(order), 1);
    return order;
  }

  private async advanceOrder(rng: Prng): Promise<void> {
    const order = this.checkout(rng, ['pending', 'confirmed', 'shipped']);
    if (!order) return this.placeOrder(rng);
    const status = NEXT_STATUS[order.status];
    const eventType = `orders.order-${status}`;
    const entry = await this.command('order-status', order.orderId, eventType, {
      method: 'PUT',
      path: `/api/orders/${order.orderId}/status`,
      token: this.admin,
      body: { status },
    });
    if (entry.outcome === 'acknowledged' && status !== 'delivered') this.orders.push({ ...order, status });
  }

  private async cancelOrder(rng: Prng): Promise<void> {
    const order = this.checkout(rng, ['pending', 'confirmed']);
    if (!order) return this.placeOrder(rng);
    await this.command('cancel-order', order.orderId, 'orders.order-cancelled', {
      method: 'POST',
      path: `/api/orders/${order.orderId}/cancel`,
      token: order.customer.token,
      body: { reason: 'chaos' },
    });
  }

  private async query(rng: Prng): Promise<void> {
    const live = this.opts.endpoints();
    if (live.length === 0) return;
    const base = rng.pick(live);
    const c = rng.pick(this.fixtures.customers);
    const order = this.orders.length > 0 ? rng.pick(this.orders) : undefined;
    const product = rng.pick(this.fixtures.plentiful);
    const path = rng.pick([
      order ? `/api/orders/${order.orderId}` : `/api/customers/${c.customerId}/orders`,
      `/api/customers/${c.customerId}/orders?limit=5`,
      `/api/products/${product}`,
    ]);
    const token = path.startsWith('/api/orders/') ? (order?.customer.token ?? this.admin) : c.token;
    const status = await sendQuery(base, path, token);
    this.ledger.queries++;
    if (status === 0 || status >= 400) this.ledger.queryErrors++;
  }

  private async command(
    kind: CommandKind,
    aggregateId: string | undefined,
    eventType: string,
    req: Omit<CommandRequest, 'key'>,
    extra: { items?: { productId: string; quantity: number }[]; customerId?: string } = {},
  ) {
    const n = ++this.seq;
    const key = `${this.opts.runId}-${n}`;
    const answer = await sendCommand(pickFrom(this.opts, n), { ...req, key }, this.opts.retryBudgetMs);
    return this.ledger.record({ key, kind, aggregateId, eventType, ...extra }, answer);
  }
}
