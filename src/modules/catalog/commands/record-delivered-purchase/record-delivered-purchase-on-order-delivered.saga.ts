/**
 * How the catalog learns who may review what: from the orders context's `orders.order-delivered`
 * events, into the catalog's own `delivered_purchases` collection.
 *
 * Why an event subscription and not a query into orders: ARCHITECTURE.md allows either, but the
 * review rule then reads only catalog data inside the catalog's own transaction, the catalog works
 * (and is testable) without the orders module's internals or availability, and a replay of the
 * event log (the resync path) rebuilds the collection. The price is eventual consistency: a review
 * sent the very moment an order is marked delivered may be refused until the event is handled.
 *
 * The subscription is by stable type name and payload shape (catalog.public.ts:
 * ORDER_DELIVERED_EVENT_TYPE, OrderDeliveredPayloadSeenByCatalog), not by the orders' event class,
 * so the catalog depends only on the event contract. Applying an event twice changes nothing.
 */
import { Injectable, Logger } from '@nestjs/common';
import { Saga, type ICommand, type IEvent } from '@nestjs/cqrs';
import { filter, map, type Observable } from 'rxjs';
import { ORDER_DELIVERED_EVENT_TYPE, type OrderDeliveredPayloadSeenByCatalog } from '../../catalog.public.js';
import { RecordDeliveredPurchaseCommand } from './record-delivered-purchase.command.js';

interface OrderDelivered {
  type: typeof ORDER_DELIVERED_EVENT_TYPE;
  aggregateId: string;
  occurredAt: Date;
  payload: OrderDeliveredPayloadSeenByCatalog;
}

const logger = new Logger('RecordDeliveredPurchaseOnOrderDelivered');

function isOrderDelivered(e: IEvent): e is OrderDelivered {
  const candidate = e as Partial<OrderDelivered>;
  if (candidate.type !== ORDER_DELIVERED_EVENT_TYPE) return false;
  const p = candidate.payload as Partial<OrderDeliveredPayloadSeenByCatalog> | undefined;
  const ok =
    typeof candidate.aggregateId === 'string' &&
    typeof p?.customerId === 'string' &&
    Array.isArray(p.items) &&
    p.items.every((i) => typeof i?.productId === 'string');
  if (!ok)
    logger.error(`ignored an ${ORDER_DELIVERED_EVENT_TYPE} event without customerId and items[].productId`);
  return ok;
}

@Injectable()
export class RecordDeliveredPurchaseOnOrderDeliveredSaga {
  @Saga()
  orderDelivered = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      filter(isOrderDelivered),
      map(
        (e) =>
          new RecordDeliveredPurchaseCommand(
            e.aggregateId,
            e.payload.customerId,
            e.payload.items.map((i) => i.productId),
            e.occurredAt instanceof Date ? e.occurredAt : new Date(),
          ),
      ),
    );
}
