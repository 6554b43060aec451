import { DomainEvent } from '../../../../shared/events/domain-event.js';
import type { StockMovementPayload } from './stock-reserved.event.js';

/** An order was cancelled: `quantity` reserved units became available again. */
export class StockReleasedEvent extends DomainEvent<StockMovementPayload> {
  static readonly TYPE = 'catalog.stock-released' as const;
  readonly type = StockReleasedEvent.TYPE;
  readonly aggregateType = 'product';
}
