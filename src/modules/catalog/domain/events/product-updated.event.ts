import { DomainEvent } from '../../../../shared/events/domain-event.js';

export interface ProductDetails {
  name: string;
  description: string;
  brand: string;
  category: string[];
  images: string[];
  features: string[];
}

export interface ProductUpdatedPayload {
  changes: Partial<ProductDetails>;
}

/** Descriptive fields changed; `changes` holds the new value of each changed field only. */
export class ProductUpdatedEvent extends DomainEvent<ProductUpdatedPayload> {
  static readonly TYPE = 'catalog.product-updated' as const;
  readonly type = ProductUpdatedEvent.TYPE;
  readonly aggregateType = 'product';
}
