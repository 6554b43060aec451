import { DomainEvent } from '../../../../shared/events/domain-event.js';
/** Payload shared by the three stock events raised for the orders context. */
export interface StockMovementPayload {
  orderId: string;
  /** Units moved by this event (positive). */
  quantity: number;
  /** The product's inventory after the movement. */
  inventory: { quantity: number; reserved: number };
}

/** An order was placed: `quantity` units moved from available to reserved. */
export class StockReservedEvent extends DomainEvent<StockMovementPayload> {
  static readonly TYPE = 'catalog.stock-reserved' as const;
  readonly type = StockReservedEvent.TYPE;
  readonly aggregateType = 'product';
}
