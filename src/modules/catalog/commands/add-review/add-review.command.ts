import { Command } from '@nestjs/cqrs';
import type { ProductCommandResult } from '../command-accepted.response.dto.js';

export interface AddReviewResult extends ProductCommandResult {
  reviewId: string;
}

/** A customer reviews a product they received (one review per customer and product). */
export class AddReviewCommand extends Command<AddReviewResult> {
  constructor(
    readonly productId: string,
    readonly customerId: string,
    readonly review: { rating: number; title: string; body: string },
    readonly correlationId: string,
    /** `rev_<uuid>`; omitted = generated. */
    readonly reviewId?: string,
  ) {
    super();
  }
}
