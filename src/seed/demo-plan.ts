/**
 * The demo dataset as a plan: every product, customer, address and order (with its status history)
 * the seed will create, decided up front from the seed value and the anchor time alone. Pure and
 * deterministic: the same (seed, sizes, anchor) always gives the same plan, so the seed's result
 * does not depend on how concurrently the plan is executed.
 *
 * Stock is planned from demand: every product starts with at least the units all planned orders
 * take, so no placement can fail for lack of stock whatever the interleaving (a few products are
 * left nearly sold out to make low-stock views interesting).
 */
import { ORDER_TRANSITIONS, type OrderStatus } from '../modules/orders/orders.public.js';
import {
  ADDRESS_LABELS,
  CATEGORIES,
  CITIES,
  COLOURS,
  FIRST_NAMES,
  LAST_NAMES,
  MODEL_WORDS,
  STREETS,
} from './demo-vocabulary.js';
import { Prng } from './prng.js';

export interface DemoSizes {
  products: number;
  customers: number;
  orders: number;
}

export const DEFAULT_SIZES: DemoSizes = { products: 300, customers: 250, orders: 3000 };

export interface PlanOptions extends DemoSizes {
  seed: number;
  /** Orders are placed in the 180 days before this instant. */
  anchor: Date;
}

export interface PlannedProduct {
  productId: string;
  sku: string;
  name: string;
  description: string;
  brand: string;
  category: string[];
  price: string;
  images: string[];
  features: string[];
  /** Initial available units. */
  quantity: number;
}

export interface PlannedAddress {
  addressId: string;
  label: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
}

export type VipLevel = 'none' | 'silver' | 'gold' | 'platinum';

export interface PlannedCustomer {
  customerId: string;
  name: string;
  email: string;
  phone: string | null;
  vipStatus: VipLevel;
  addresses: PlannedAddress[];
}

export interface PlannedStep {
  status: Exclude<OrderStatus, 'pending'>;
  at: Date;
  /** For cancellations: who cancelled. */
  by?: 'customer' | 'admin';
}

export interface PlannedOrder {
  orderId: string;
  customerId: string;
  items: { productId: string; quantity: number }[];
  shippingAddressId: string;
  billingAddressId: string;
  placedAt: Date;
  /** Status changes after placement, in order; each is a valid transition from the previous. */
  steps: PlannedStep[];
}

export interface DemoPlan {
  products: PlannedProduct[];
  customers: PlannedCustomer[];
  /** Sorted by placedAt. */
  orders: PlannedOrder[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const HISTORY_DAYS = 180;

/** The start of the current UTC day: the default anchor (same plan all day long). */
export function startOfUtcDay(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

const initials = (words: string): string =>
  words
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase())
    .join('')
    .slice(0, 3)
    .padEnd(2, 'X');

const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function price(rng: Prng, [min, max]: [number, number]): string {
  // Retail-looking prices: whole units ending in .99, .49 or .00.
  const units = rng.int(min, max);
  const cents = rng.weighted([
    ['99', 6],
    ['49', 2],
    ['00', 1],
    ['95', 1],
  ] as const);
  return cents === '00' ? `${units}.00` : `${Math.max(units - 1, 0)}.${cents}`;
}

function planProducts(rng: Prng, count: number): PlannedProduct[] {
  const products: PlannedProduct[] = [];
  for (let i = 0; i < count; i++) {
    const leaf = CATEGORIES[i % CATEGORIES.length];
    const brand = rng.pick(leaf.brands);
    const kind = rng.pick(leaf.kinds);
    const model = `${rng.pick(MODEL_WORDS)} ${rng.int(1, 9)}${rng.chance(0.3) ? '0' : ''}`;
    const colour = rng.chance(0.5) ? ` (${rng.pick(COLOURS)})` : '';
    const name = `${brand} ${model} ${kind}${colour}`;
    const sku = `${initials(brand)}-${initials(kind)}-${String(i + 1).padStart(5, '0')}`;
    const features = rng.sample(leaf.features, rng.int(2, Math.min(4, leaf.features.length)));
    products.push({
      productId: `prd_${rng.uuid()}`,
      sku,
      name,
      description: `${kind} from ${brand}'s ${leaf.path[2].toLowerCase()} range. ${features.join('. ')}.`,
      brand,
      category: [...leaf.path],
      price: price(rng, leaf.price),
      images: Array.from(
        { length: rng.int(1, 3) },
        (_, k) => `https://images.example.com/products/${slug(sku)}-${k + 1}.jpg`,
      ),
      features,
      quantity: 0,
    });
  }
  return products;
}

function postalCode(rng: Prng, pattern: string): string {
  return pattern.replace(/#/g, () => String(rng.int(0, 9)));
}

function planCustomers(rng: Prng, count: number): PlannedCustomer[] {
  const customers: PlannedCustomer[] = [];
  for (let i = 0; i < count; i++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const addressCount = rng.weighted([
      [1, 5],
      [2, 3],
      [3, 1],
    ] as const);
    const labels = rng.sample(ADDRESS_LABELS, addressCount);
    const addresses = labels.map((label): PlannedAddress => {
      const city = rng.pick(CITIES);
      return {
        addressId: `adr_${rng.uuid()}`,
        label,
        line1: `${rng.int(1, 2500)} ${rng.pick(STREETS)}`,
        line2: rng.chance(0.25) ? `Apt ${rng.int(1, 40)}` : null,
        city: city.city,
        region: city.region,
        postalCode: postalCode(rng, city.postal),
        country: city.country,
      };
    });
    customers.push({
      customerId: `cus_${rng.uuid()}`,
      name: `${first} ${last}`,
      // The index keeps emails unique (the customers context refuses duplicates).
      email: `${slug(first)}.${slug(last)}.${i + 1}@example.com`.replace(/-/g, ''),
      phone: rng.chance(0.7) ? `+1555${String(rng.int(0, 9_999_999)).padStart(7, '0')}` : null,
      vipStatus: rng.weighted([
        ['none', 80],
        ['silver', 12],
        ['gold', 6],
        ['platinum', 2],
      ] as const),
      addresses,
    });
  }
  return customers;
}

/** Popularity: a few bestsellers, a long tail (weights ∝ 1 / (rank + 4)). */
function popularity<T>(rng: Prng, items: readonly T[]): [T, number][] {
  return rng.sample(items, items.length).map((item, rank) => [item, 1 / (rank + 4)]);
}

/** The status an order of this age ends in, and the path to it. */
function planSteps(rng: Prng, placedAt: Date, anchor: Date): PlannedStep[] {
  const ageDays = (anchor.getTime() - placedAt.getTime()) / DAY;
  const at = (from: Date, minMs: number, maxMs: number): Date =>
    new Date(from.getTime() + rng.int(Math.floor(minMs / 1000), Math.floor(maxMs / 1000)) * 1000);
  let target: OrderStatus;
  let cancelFrom: 'pending' | 'confirmed' | null = null;
  if (rng.chance(0.07)) {
    target = 'cancelled';
    cancelFrom = rng.chance(0.55) ? 'pending' : 'confirmed';
  } else if (ageDays < 1) {
    target = rng.weighted([
      ['pending', 55],
      ['confirmed', 35],
      ['shipped', 10],
    ] as const);
  } else if (ageDays < 5) {
    target = rng.weighted([
      ['confirmed', 20],
      ['shipped', 50],
      ['delivered', 30],
    ] as const);
  } else {
    target = rng.weighted([
      ['delivered', 96],
      ['shipped', 4],
    ] as const);
  }
  const path: PlannedStep[] = [];
  let t = placedAt;
  const push = (status: PlannedStep['status'], next: Date, by?: 'customer' | 'admin'): boolean => {
    // A step that would lie in the future is not taken: the order stays where it is.
    if (next.getTime() >= anchor.getTime()) return false;
    path.push(by ? { status, at: next, by } : { status, at: next });
    t = next;
    return true;
  };
  const plan: PlannedStep['status'][] =
    target === 'cancelled'
      ? cancelFrom === 'confirmed'
        ? ['confirmed', 'cancelled']
        : ['cancelled']
      : (['confirmed', 'shipped', 'delivered'] as const).slice(
          0,
          ['pending', 'confirmed', 'shipped', 'delivered'].indexOf(target),
        );
  for (const status of plan) {
    const next =
      status === 'confirmed'
        ? at(t, 5 * MINUTE, 6 * HOUR)
        : status === 'shipped'
          ? at(t, 6 * HOUR, 2 * DAY)
          : status === 'delivered'
            ? at(t, 1 * DAY, 5 * DAY)
            : at(t, 10 * MINUTE, 20 * HOUR);
    const by = status === 'cancelled' ? (rng.chance(0.6) ? 'customer' : 'admin') : undefined;
    if (!push(status, next, by)) break;
  }
  return path;
}

function planOrders(
  rng: Prng,
  count: number,
  products: PlannedProduct[],
  customers: PlannedCustomer[],
  anchor: Date,
): PlannedOrder[] {
  const productWeights = popularity(rng, products);
  const customerWeights = popularity(rng, customers);
  const orders: PlannedOrder[] = [];
  for (let i = 0; i < count; i++) {
    const customer = rng.weighted(customerWeights);
    const lineCount = rng.weighted([
      [1, 45],
      [2, 30],
      [3, 15],
      [4, 7],
      [5, 3],
    ] as const);
    const chosen = new Map<string, number>();
    while (chosen.size < Math.min(lineCount, products.length)) {
      const p = rng.weighted(productWeights);
      if (!chosen.has(p.productId))
        chosen.set(
          p.productId,
          rng.weighted([
            [1, 70],
            [2, 20],
            [3, 7],
            [5, 3],
          ] as const),
        );
    }
    // Recent days are busier than old ones.
    const ageMs = Math.floor(HISTORY_DAYS * DAY * rng.next() ** 1.4);
    const placedAt = new Date(Math.floor((anchor.getTime() - ageMs - MINUTE) / 1000) * 1000);
    const shipping = rng.pick(customer.addresses);
    const billing = rng.chance(0.7) ? shipping : rng.pick(customer.addresses);
    orders.push({
      orderId: `ord_${rng.uuid()}`,
      customerId: customer.customerId,
      items: [...chosen].map(([productId, quantity]) => ({ productId, quantity })),
      shippingAddressId: shipping.addressId,
      billingAddressId: billing.addressId,
      placedAt,
      steps: planSteps(rng, placedAt, anchor),
    });
  }
  return orders.sort(
    (a, b) => a.placedAt.getTime() - b.placedAt.getTime() || a.orderId.localeCompare(b.orderId),
  );
}

export function planDemoData(options: PlanOptions): DemoPlan {
  const root = new Prng(options.seed);
  const products = planProducts(root.fork('products'), options.products);
  const customers = planCustomers(root.fork('customers'), options.customers);
  const orders =
    products.length > 0 && customers.length > 0
      ? planOrders(root.fork('orders'), options.orders, products, customers, options.anchor)
      : [];
  // Stock from demand: enough for every planned order, plus a margin (small for a few products).
  const demand = new Map<string, number>();
  for (const o of orders)
    for (const i of o.items) demand.set(i.productId, (demand.get(i.productId) ?? 0) + i.quantity);
  const stock = root.fork('stock');
  for (const p of products) {
    const margin = stock.chance(0.06) ? stock.int(0, 3) : stock.int(10, 250);
    p.quantity = (demand.get(p.productId) ?? 0) + margin;
  }
  return { products, customers, orders };
}

/** The status an order ends in after its planned steps. */
export function finalStatus(order: PlannedOrder): OrderStatus {
  return order.steps.length === 0 ? 'pending' : order.steps[order.steps.length - 1].status;
}

/** Throws when a plan breaks a rule the commands would reject (a bug in the planner). */
export function checkPlan(plan: DemoPlan): void {
  for (const o of plan.orders) {
    let status: OrderStatus = 'pending';
    let t = o.placedAt.getTime();
    for (const step of o.steps) {
      if (!ORDER_TRANSITIONS[status].includes(step.status))
        throw new Error(`planned order ${o.orderId}: ${status} -> ${step.status}`);
      if (step.at.getTime() <= t) throw new Error(`planned order ${o.orderId}: steps out of time order`);
      status = step.status;
      t = step.at.getTime();
    }
  }
}
