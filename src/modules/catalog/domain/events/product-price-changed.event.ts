import { DomainEvent } from '../../../../shared/events/domain-event.js';

export interface ProductPriceChangedPayload {
  previousPrice: string;
  price: string;
  currency: string;
}

/** The list price changed (orders already placed keep their priceAtOrder). */
export class ProductPriceChangedEvent extends DomainEvent<ProductPriceChangedPayload> {
  static readonly TYPE = 'catalog.product-price-changed' as const;
  readonly type = ProductPriceChangedEvent.TYPE;
  readonly aggregateType = 'product';
}
