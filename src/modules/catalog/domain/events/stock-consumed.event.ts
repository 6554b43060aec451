import { DomainEvent } from '../../../../shared/events/domain-event.js';
import type { StockMovementPayload } from './stock-reserved.event.js';

/** An order shipped: `quantity` reserved units left the warehouse. */
export class StockConsumedEvent extends DomainEvent<StockMovementPayload> {
  static readonly TYPE = 'catalog.stock-consumed' as const;
  readonly type = StockConsumedEvent.TYPE;
  readonly aggregateType = 'product';
}
