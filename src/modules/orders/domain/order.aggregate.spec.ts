/**
 * Order aggregate rules as given/when/then: given the events so far, when a command, then the
 * events it produces or the error it raises.
 */
import { AppError } from '../../../shared/errors/app-error.js';
import type { DomainEvent } from '../../../shared/events/domain-event.js';
import { OrderCancelledEvent } from './events/order-cancelled.event.js';
import { OrderConfirmedEvent } from './events/order-confirmed.event.js';
import { OrderDeliveredEvent } from './events/order-delivered.event.js';
import { OrderPlacedEvent } from './events/order-placed.event.js';
import { OrderShippedEvent } from './events/order-shipped.event.js';
import type { OrderStatusChangedPayload } from './events/order-status-changed.event.js';
import {
  computeOrderTotals,
  Order,
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  type CommandContext,
  type OrderStatus,
  type PlaceOrderInput,
  type PlaceOrderLine,
} from './order.aggregate.js';

const T0 = new Date('2026-01-10T09:00:00.000Z');
const ctx = (minutes = 0): CommandContext => ({
  correlationId: 'corr-1',
  now: new Date(T0.getTime() + minutes * 60_000),
});

const ORDER_ID = 'ord_00000000-0000-4000-8000-000000000001';

const line = (productId: string, unitPrice: string, quantity: number): PlaceOrderLine => ({
  productId,
  sku: `SKU-${productId}`,
  name: `Product ${productId}`,
  category: ['Home', 'Kitchen'],
  brand: 'Acme',
  imageUrl: null,
  quantity,
  unitPrice,
});

const placeInput = (
  lines: PlaceOrderLine[] = [line('p1', '19.99', 3), line('p2', '5.00', 1)],
  pricing = { taxRate: '0.08', shippingFee: '5.99', currency: 'USD' },
): PlaceOrderInput => ({
  orderId: ORDER_ID,
  customer: { customerId: 'c1', name: 'Ada', email: 'ada@example.com', phone: null, vipStatus: 'none' },
  shippingAddress: {
    addressId: 'a1',
    label: 'Home',
    line1: '1 Main St',
    line2: null,
    city: 'Springfield',
    region: 'IL',
    postalCode: '62701',
    country: 'US',
  },
  billingAddress: {
    addressId: 'a2',
    label: 'Office',
    line1: '2 Side St',
    line2: 'Floor 3',
    city: 'Springfield',
    region: 'IL',
    postalCode: '62702',
    country: 'US',
  },
  lines,
  pricing,
});

const placed = (): OrderPlacedEvent => Order.place(placeInput(), ctx()).pullEvents()[0] as OrderPlacedEvent;

const statusPayload = (
  previousStatus: OrderStatus,
  status: OrderStatus,
  minutes: number,
): OrderStatusChangedPayload => ({
  orderId: ORDER_ID,
  customerId: 'c1',
  previousStatus,
  status,
  items: [
    { productId: 'p1', quantity: 3 },
    { productId: 'p2', quantity: 1 },
  ],
  total: '76.16',
  currency: 'USD',
  changedAt: ctx(minutes).now.toISOString(),
});
const confirmed = () => new OrderConfirmedEvent(ORDER_ID, 2, statusPayload('pending', 'confirmed', 1), 'c');
const shipped = () => new OrderShippedEvent(ORDER_ID, 3, statusPayload('confirmed', 'shipped', 2), 'c');
const delivered = () => new OrderDeliveredEvent(ORDER_ID, 4, statusPayload('shipped', 'delivered', 3), 'c');
const cancelledFrom = (from: 'pending' | 'confirmed', version: number) =>
  new OrderCancelledEvent(
    ORDER_ID,
    version,
    { ...statusPayload(from, 'cancelled', 5), cancelledBy: 'admin', reason: null },
    'c',
  );

/** The events that put an order in each status. */
const HISTORY: Record<OrderStatus, () => DomainEvent<object>[]> = {
  pending: () => [placed()],
  confirmed: () => [placed(), confirmed()],
  shipped: () => [placed(), confirmed(), shipped()],
  delivered: () => [placed(), confirmed(), shipped(), delivered()],
  cancelled: () => [placed(), cancelledFrom('pending', 2)],
};

interface EventSummary {
  type: string;
  aggregateId: string;
  aggregateVersion: number;
  payload: object;
}
const summary = (e: DomainEvent<object>): EventSummary => ({
  type: e.type,
  aggregateId: e.aggregateId,
  aggregateVersion: e.aggregateVersion,
  payload: e.payload,
});

function given(history: DomainEvent<object>[]) {
  return {
    when(command: (order: Order) => void) {
      const run = (): DomainEvent<object>[] => {
        const order = Order.fromHistory(history);
        command(order);
        return order.pullEvents();
      };
      return {
        then(expected: Partial<EventSummary>[]): void {
          const events = run().map(summary);
          expect(events).toHaveLength(expected.length);
          expected.forEach((e, i) => expect(events[i]).toMatchObject(e));
        },
        thenRejects(code: string, status: number, details?: Record<string, unknown>): void {
          let error: unknown;
          try {
            run();
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(AppError);
          const appError = error as AppError;
          expect({ code: appError.code, status: appError.status }).toEqual({ code, status });
          if (details) expect(appError.details).toMatchObject(details);
        },
      };
    },
  };
}

function expectAppError(fn: () => unknown, code: string, status = 400): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe(code);
    expect((e as AppError).status).toBe(status);
    return e as AppError;
  }
  throw new Error(`expected ${code}`);
}

describe('Order aggregate', () => {
  describe('place', () => {
    it('given nothing, when placed, then orders.order-placed version 1 with the snapshots and exact totals', () => {
      const order = Order.place(placeInput(), ctx());
      const events = order.pullEvents();
      expect(events.map(summary)).toEqual([
        {
          type: 'orders.order-placed',
          aggregateId: ORDER_ID,
          aggregateVersion: 1,
          payload: {
            orderId: ORDER_ID,
            customerId: 'c1',
            customer: {
              customerId: 'c1',
              name: 'Ada',
              email: 'ada@example.com',
              phone: null,
              vipStatus: 'none',
            },
            shippingAddressId: 'a1',
            billingAddressId: 'a2',
            shippingAddress: expect.objectContaining({ addressId: 'a1', city: 'Springfield' }),
            billingAddress: expect.objectContaining({ addressId: 'a2', line2: 'Floor 3' }),
            items: [
              {
                productId: 'p1',
                sku: 'SKU-p1',
                name: 'Product p1',
                category: ['Home', 'Kitchen'],
                brand: 'Acme',
                imageUrl: null,
                quantity: 3,
                priceAtOrder: '19.99',
                subtotal: '59.97',
              },
              {
                productId: 'p2',
                sku: 'SKU-p2',
                name: 'Product p2',
                category: ['Home', 'Kitchen'],
                brand: 'Acme',
                imageUrl: null,
                quantity: 1,
                priceAtOrder: '5.00',
                subtotal: '5.00',
              },
            ],
            // 64.97 × 0.08 = 5.1976 → 5.20; 64.97 + 5.20 + 5.99 = 76.16
            subtotal: '64.97',
            taxRate: '0.08',
            tax: '5.20',
            shipping: '5.99',
            total: '76.16',
            currency: 'USD',
            status: 'pending',
            placedAt: T0.toISOString(),
          },
        },
      ]);
      expect(events[0]).toBeInstanceOf(OrderPlacedEvent);
      expect(events[0].correlationId).toBe('corr-1');
      expect(events[0].occurredAt).toEqual(T0);
    });

    it('then the state is pending, version 1, created and updated at the command time', () => {
      const order = Order.place(placeInput(), ctx());
      expect(order.state).toMatchObject({
        orderId: ORDER_ID,
        customerId: 'c1',
        status: 'pending',
        version: 1,
        shippingAddressId: 'a1',
        billingAddressId: 'a2',
        subtotal: '64.97',
        tax: '5.20',
        shipping: '5.99',
        total: '76.16',
        createdAt: T0,
        updatedAt: T0,
      });
      expect(order.state.items[0]).toEqual({
        productId: 'p1',
        sku: 'SKU-p1',
        name: 'Product p1',
        quantity: 3,
        priceAtOrder: '19.99',
        subtotal: '59.97',
      });
    });

    it('prices are stored with two decimals', () => {
      const order = Order.place(placeInput([line('p1', '7', 2), line('p2', '0.5', 1)]), ctx());
      expect(order.state.items.map((i) => [i.priceAtOrder, i.subtotal])).toEqual([
        ['7.00', '14.00'],
        ['0.50', '0.50'],
      ]);
    });

    it.each([
      ['no items', [], 'An order needs at least one item'],
      ['the same product twice', [line('p1', '1.00', 1), line('p1', '1.00', 2)], 'appears twice'],
      ['quantity 0', [line('p1', '1.00', 0)], 'positive integer'],
      ['a negative quantity', [line('p1', '1.00', -2)], 'positive integer'],
      ['a fractional quantity', [line('p1', '1.00', 1.5)], 'positive integer'],
      ['a price with 3 decimals', [line('p1', '1.005', 1)], 'at most 2 decimals'],
      ['a negative price', [line('p1', '-1.00', 1)], 'at most 2 decimals'],
    ])('given nothing, when placed with %s, then ORDERS.INVALID_ORDER', (_what, lines, message) => {
      const e = expectAppError(() => Order.place(placeInput(lines), ctx()), 'ORDERS.INVALID_ORDER');
      expect(e.message).toContain(message);
    });
  });

  describe('totals', () => {
    const pricing = (taxRate: string, shippingFee = '5.99') => ({ taxRate, shippingFee });

    it('line subtotal = price × quantity exactly (no binary floating point)', () => {
      const t = computeOrderTotals(
        [
          { unitPrice: '0.10', quantity: 3 }, // 0.1 * 3 = 0.30000000000000004 in doubles
          { unitPrice: '1.15', quantity: 3 },
          { unitPrice: '19.99', quantity: 7 },
        ],
        pricing('0'),
      );
      expect(t.lineSubtotals).toEqual(['0.30', '3.45', '139.93']);
      expect(t.subtotal).toBe('143.68');
      expect(t.tax).toBe('0.00');
      expect(t.total).toBe('149.67');
    });

    it('tax is rounded to cents HALF-UP (0.125 → 0.13, where half-even would give 0.12)', () => {
      const t = computeOrderTotals([{ unitPrice: '2.50', quantity: 1 }], pricing('0.05', '0'));
      expect(t.tax).toBe('0.13');
      expect(t.total).toBe('2.63');
    });

    it('tax below half a cent rounds down (0.0049 → 0.00)', () => {
      const t = computeOrderTotals([{ unitPrice: '0.49', quantity: 1 }], pricing('0.01', '0'));
      expect(t.tax).toBe('0.00');
    });

    it('tax is rounded once per order, not per line', () => {
      // Per line: 0.10 × 0.05 = 0.005 → 0.01 each, 0.03 for three lines. Per order: 0.30 × 0.05 = 0.015 → 0.02.
      const t = computeOrderTotals(
        [
          { unitPrice: '0.10', quantity: 1 },
          { unitPrice: '0.10', quantity: 1 },
          { unitPrice: '0.10', quantity: 1 },
        ],
        pricing('0.05', '0'),
      );
      expect(t.tax).toBe('0.02');
    });

    it('total = subtotal + tax + shipping to the cent, also for large amounts', () => {
      const t = computeOrderTotals(
        [
          { unitPrice: '999999999999.99', quantity: 1000 },
          { unitPrice: '0.01', quantity: 1 },
        ],
        pricing('0.0825', '12.50'),
      );
      expect(t.subtotal).toBe('999999999999990.01');
      // 999999999999990.01 × 0.0825 = 82499999999999.175825 → 82499999999999.18
      expect(t.tax).toBe('82499999999999.18');
      expect(t.total).toBe('1082500000000001.69');
    });

    it('a fractional tax rate with many digits still rounds once', () => {
      const t = computeOrderTotals([{ unitPrice: '33.33', quantity: 3 }], pricing('0.0725', '0'));
      // 99.99 × 0.0725 = 7.249275 → 7.25
      expect(t.tax).toBe('7.25');
      expect(t.total).toBe('107.24');
    });

    it('shipping is the flat fee whatever the quantity', () => {
      const one = computeOrderTotals([{ unitPrice: '1.00', quantity: 1 }], pricing('0', '5.99'));
      const many = computeOrderTotals([{ unitPrice: '1.00', quantity: 50 }], pricing('0', '5.99'));
      expect([one.shipping, many.shipping]).toEqual(['5.99', '5.99']);
    });
  });

  describe('status machine', () => {
    const allowed: [OrderStatus, OrderStatus, string][] = [
      ['pending', 'confirmed', 'orders.order-confirmed'],
      ['confirmed', 'shipped', 'orders.order-shipped'],
      ['shipped', 'delivered', 'orders.order-delivered'],
      ['pending', 'cancelled', 'orders.order-cancelled'],
      ['confirmed', 'cancelled', 'orders.order-cancelled'],
    ];

    it.each(allowed)('given %s, when set to %s, then %s with the next version', (from, to, type) => {
      const history = HISTORY[from]();
      given(history)
        .when((o) => o.changeStatus(to, history.length, ctx(10)))
        .then([
          {
            type,
            aggregateId: ORDER_ID,
            aggregateVersion: history.length + 1,
            payload: {
              orderId: ORDER_ID,
              customerId: 'c1',
              previousStatus: from,
              status: to,
              items: [
                { productId: 'p1', quantity: 3 },
                { productId: 'p2', quantity: 1 },
              ],
              total: '76.16',
              currency: 'USD',
              changedAt: ctx(10).now.toISOString(),
            },
          },
        ]);
    });

    const rejected = ORDER_STATUSES.flatMap((from) =>
      ORDER_STATUSES.filter((to) => !ORDER_TRANSITIONS[from].includes(to)).map((to) => [from, to] as const),
    );

    it('exactly five transitions are allowed', () => {
      expect(rejected).toHaveLength(ORDER_STATUSES.length ** 2 - allowed.length);
    });

    it.each(rejected)('given %s, when set to %s, then ORDERS.INVALID_TRANSITION', (from, to) => {
      const history = HISTORY[from]();
      given(history)
        .when((o) => o.changeStatus(to, history.length, ctx(10)))
        .thenRejects('ORDERS.INVALID_TRANSITION', 409, { orderId: ORDER_ID, from, to });
    });

    it('the new state carries the status, version and update time', () => {
      const order = Order.fromHistory(HISTORY.confirmed());
      order.changeStatus('shipped', 2, ctx(30));
      expect(order.state).toMatchObject({
        status: 'shipped',
        version: 3,
        createdAt: T0,
        updatedAt: ctx(30).now,
      });
    });

    it('an order loaded from its stored state follows the same rules', () => {
      const state = Order.fromHistory(HISTORY.shipped()).state;
      const order = Order.fromState(state);
      order.changeStatus('delivered', 3, ctx(40));
      expect(order.pullEvents().map(summary)).toMatchObject([
        { type: 'orders.order-delivered', aggregateVersion: 4 },
      ]);
      expect(state.status).toBe('shipped'); // the loaded state is not mutated
      expectAppError(
        () => Order.fromState(state).changeStatus('pending', 3, ctx()),
        'ORDERS.INVALID_TRANSITION',
        409,
      );
    });
  });

  describe('optimistic locking', () => {
    it('given version 2, when a command expects version 1, then ORDERS.VERSION_CONFLICT with the current version', () => {
      given(HISTORY.confirmed())
        .when((o) => o.changeStatus('shipped', 1, ctx()))
        .thenRejects('ORDERS.VERSION_CONFLICT', 409, { currentVersion: 2, expectedVersion: 1 });
    });

    it('the version is checked before the transition (a stale client learns the current version)', () => {
      given(HISTORY.delivered())
        .when((o) => o.changeStatus('confirmed', 1, ctx()))
        .thenRejects('ORDERS.VERSION_CONFLICT', 409, { currentVersion: 4 });
    });

    it('a future version is a conflict too', () => {
      given(HISTORY.pending())
        .when((o) => o.changeStatus('confirmed', 2, ctx()))
        .thenRejects('ORDERS.VERSION_CONFLICT', 409, { currentVersion: 1 });
    });
  });

  describe('cancel', () => {
    it.each(['pending', 'confirmed'] as const)(
      'given %s, when the customer cancels without a version, then orders.order-cancelled with who and why',
      (from) => {
        const history = HISTORY[from]();
        given(history)
          .when((o) => o.cancel(ctx(5), { by: 'customer', reason: 'changed my mind' }))
          .then([
            {
              type: 'orders.order-cancelled',
              aggregateVersion: history.length + 1,
              payload: {
                previousStatus: from,
                status: 'cancelled',
                cancelledBy: 'customer',
                reason: 'changed my mind',
              },
            },
          ]);
      },
    );

    it.each(['shipped', 'delivered', 'cancelled'] as const)(
      'given %s, when cancelled, then ORDERS.INVALID_TRANSITION',
      (from) => {
        given(HISTORY[from]())
          .when((o) => o.cancel(ctx(), { by: 'admin' }))
          .thenRejects('ORDERS.INVALID_TRANSITION', 409, { from, to: 'cancelled' });
      },
    );

    it('given version 2, when cancelled expecting version 1, then ORDERS.VERSION_CONFLICT', () => {
      given(HISTORY.confirmed())
        .when((o) => o.cancel(ctx(), { by: 'admin', expectedVersion: 1 }))
        .thenRejects('ORDERS.VERSION_CONFLICT', 409, { currentVersion: 2 });
    });

    it('a status update to cancelled is a cancellation by an admin', () => {
      given(HISTORY.pending())
        .when((o) => o.changeStatus('cancelled', 1, ctx()))
        .then([{ type: 'orders.order-cancelled', payload: { cancelledBy: 'admin', reason: null } }]);
    });
  });

  describe('history', () => {
    it('pullEvents hands each event over once', () => {
      const order = Order.place(placeInput(), ctx());
      expect(order.pullEvents()).toHaveLength(1);
      expect(order.pullEvents()).toHaveLength(0);
    });

    it('a rejected command records no event and leaves the state unchanged', () => {
      const order = Order.fromHistory(HISTORY.pending());
      expect(() => order.changeStatus('shipped', 1, ctx())).toThrow(AppError);
      expect(order.pullEvents()).toEqual([]);
      expect(order.state).toMatchObject({ status: 'pending', version: 1 });
    });

    it('events out of order are refused when rebuilding', () => {
      expect(() => Order.fromHistory([placed(), shipped()])).toThrow(/does not follow/);
    });

    it('a status event before order-placed is refused', () => {
      expect(() => Order.fromHistory([confirmed()])).toThrow(/no state/);
    });
  });
});
