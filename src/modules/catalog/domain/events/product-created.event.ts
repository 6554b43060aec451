import { DomainEvent } from '../../../../shared/events/domain-event.js';

export interface ProductCreatedPayload {
  productId: string;
  sku: string;
  name: string;
  description: string;
  brand: string;
  category: string[];
  /** Exact decimal string, two fraction digits. */
  price: string;
  currency: string;
  images: string[];
  features: string[];
  status: 'active';
  inventory: { quantity: number; reserved: number };
}

/** A product was added to the catalog; the payload is its whole initial state. */
export class ProductCreatedEvent extends DomainEvent<ProductCreatedPayload> {
  static readonly TYPE = 'catalog.product-created' as const;
  readonly type = ProductCreatedEvent.TYPE;
  readonly aggregateType = 'product';
}
