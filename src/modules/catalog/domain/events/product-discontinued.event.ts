import { DomainEvent } from '../../../../shared/events/domain-event.js';

export interface ProductDiscontinuedPayload {
  reason: string | null;
  status: 'discontinued';
}

/** The product can no longer be ordered; existing reservations are still released or consumed. */
export class ProductDiscontinuedEvent extends DomainEvent<ProductDiscontinuedPayload> {
  static readonly TYPE = 'catalog.product-discontinued' as const;
  readonly type = ProductDiscontinuedEvent.TYPE;
  readonly aggregateType = 'product';
}
