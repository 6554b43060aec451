import { DomainEvent } from '../../../../shared/events/domain-event.js';

export interface ReviewAddedPayload {
  reviewId: string;
  customerId: string;
  rating: number;
  title: string;
  body: string;
  /** Totals over all reviews of the product, this one included. */
  ratings: { count: number; sum: number };
}

/** A customer who received the product reviewed it; `rating` holds the product's totals after it. */
export class ReviewAddedEvent extends DomainEvent<ReviewAddedPayload> {
  static readonly TYPE = 'catalog.review-added' as const;
  readonly type = ReviewAddedEvent.TYPE;
  readonly aggregateType = 'product';
}
