import { DomainEvent } from '../../../../shared/events/domain-event.js';

export interface ProductViewsRecordedPayload {
  productId: string;
  count: number;
  totalViews: number;
}

/** A batch of product page views (aggregateId `views:<productId>`); `totalViews` is the count after it. */
export class ProductViewsRecordedEvent extends DomainEvent<ProductViewsRecordedPayload> {
  static readonly TYPE = 'catalog.product-views-recorded' as const;
  readonly type = ProductViewsRecordedEvent.TYPE;
  readonly aggregateType = 'product-views';
}
