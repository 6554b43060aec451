import { QueryCache } from '../../../shared/cache/query-cache.js';
import { orderCacheKeys } from '../projections/orders-read/orders-read.projection.js';
import type { OrdersReadDoc } from '../projections/orders-read/orders-read.evolve.js';
import { GetOrderHandler } from './get-order/get-order.handler.js';
import { GetOrderQuery } from './get-order/get-order.query.js';
import { ListCustomerOrdersHandler } from './list-customer-orders/list-customer-orders.handler.js';
import { ListCustomerOrdersQuery } from './list-customer-orders/list-customer-orders.query.js';
import { OrderQueryCache } from './order-query-cache.js';
import { toOrderResponse } from './order.response.dto.js';
import type { OrdersReadRepository } from './orders-read.repository.js';
import { Decimal128 } from 'mongodb';

const ORDER = 'ord_00000000-0000-4000-8000-000000000001';
const OWNER = 'cus_00000000-0000-4000-8000-000000000001';
const OTHER = 'cus_00000000-0000-4000-8000-000000000002';
const d = (s: string) => Decimal128.fromString(s);
const addr = {
  addressId: 'adr_1',
  label: 'Home',
  line1: '1 Main St',
  line2: null,
  city: 'Berlin',
  region: null,
  postalCode: '10115',
  country: 'DE',
  version: 0,
};

function order(status: 'pending' | 'confirmed'): OrdersReadDoc {
  const at = new Date('2026-02-10T10:00:00.000Z');
  return {
    _id: ORDER,
    orderId: ORDER,
    customer: {
      customerId: OWNER,
      name: 'A',
      email: 'a@example.com',
      phone: null,
      vipStatus: 'none',
      profileVersion: 0,
      vipVersion: 0,
      stamp: 0,
    },
    items: [],
    itemCount: 0,
    amounts: {
      subtotal: d('1.00'),
      taxRate: d('0'),
      tax: d('0.00'),
      shipping: d('0.00'),
      total: d('1.00'),
      currency: 'USD',
    },
    status,
    statusHistory: [{ status: 'pending', previousStatus: null, at, version: 1 }],
    shippingAddress: addr,
    billingAddress: addr,
    createdAt: at,
    updatedAt: at,
    lastSyncedFrom: { writeModelVersion: status === 'pending' ? 1 : 2, syncedAt: at },
    searchText: '',
  };
}

/** A read model holding one order, counting its reads. */
function fakeRepo() {
  const state = { doc: order('pending'), reads: 0 };
  const repo = {
    findOrder: () => {
      state.reads++;
      return Promise.resolve(state.doc);
    },
    page: () => {
      state.reads++;
      return Promise.resolve({ items: [state.doc], total: 1 });
    },
  };
  return { state, repo: repo as unknown as OrdersReadRepository };
}

describe('order queries: cache first, invalidated by the projection keys', () => {
  it('GET order: served from the cache until the projection invalidates the order key', async () => {
    const cache = new QueryCache();
    const { state, repo } = fakeRepo();
    const handler = new GetOrderHandler(repo, new OrderQueryCache(cache));
    const admin = { sub: 'admin', role: 'admin' as const };
    const first = await handler.execute(new GetOrderQuery(ORDER, admin));
    expect(first?.status).toBe('pending');
    // The cached answer is the response DTO as JSON text, with the owner and Express's ETag.
    expect(JSON.parse(first?.json ?? 'null')).toEqual(JSON.parse(JSON.stringify(toOrderResponse(state.doc))));
    expect(first?.customerId).toBe(OWNER);
    expect(first?.etag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
    const reads = state.reads;
    state.doc = order('confirmed');
    expect((await handler.execute(new GetOrderQuery(ORDER, admin)))?.status).toBe('pending');
    expect(state.reads).toBe(reads);
    await cache.invalidate(orderCacheKeys(state.doc));
    expect((await handler.execute(new GetOrderQuery(ORDER, admin)))?.status).toBe('confirmed');
    expect(cache.stats().hits).toBeGreaterThan(0);
  });

  it('GET order: another customer gets null from a warm cache too; a consistency read bypasses it', async () => {
    const cache = new QueryCache();
    const { state, repo } = fakeRepo();
    const handler = new GetOrderHandler(repo, new OrderQueryCache(cache));
    const owner = { sub: OWNER, role: 'customer' as const, customerId: OWNER };
    const other = { sub: OTHER, role: 'customer' as const, customerId: OTHER };
    expect(await handler.execute(new GetOrderQuery(ORDER, owner))).not.toBeNull();
    expect(await handler.execute(new GetOrderQuery(ORDER, other))).toBeNull();
    state.doc = order('confirmed');
    expect((await handler.execute(new GetOrderQuery(ORDER, owner, 'read-model')))?.status).toBe('confirmed');
  });

  it("customer list: the family customer-orders:<customerId> is dropped by the order's keys", async () => {
    const cache = new QueryCache();
    const { state, repo } = fakeRepo();
    const handler = new ListCustomerOrdersHandler(repo, new OrderQueryCache(cache));
    const q = () =>
      new ListCustomerOrdersQuery(OWNER, { sort: 'createdAt', order: 'desc', limit: 20, offset: 0 });
    const firstStatus = async (): Promise<string> =>
      (JSON.parse((await handler.execute(q())).itemsJson) as { status: string }[])[0].status;
    expect(await firstStatus()).toBe('pending');
    state.doc = order('confirmed');
    expect(await firstStatus()).toBe('pending');
    await cache.invalidate(orderCacheKeys(state.doc));
    expect(await firstStatus()).toBe('confirmed');
  });

  it('without a cache every query reads the read model', async () => {
    const { state, repo } = fakeRepo();
    const handler = new GetOrderHandler(repo, new OrderQueryCache(undefined));
    const admin = { sub: 'admin', role: 'admin' as const };
    await handler.execute(new GetOrderQuery(ORDER, admin));
    const reads = state.reads;
    await handler.execute(new GetOrderQuery(ORDER, admin));
    expect(state.reads).toBe(reads * 2);
  });
});
