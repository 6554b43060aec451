import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { DeliveredPurchaseRepository } from '../../persistence/delivered-purchase.repository.js';
import { ProductReviewRepository } from '../../persistence/product-review.repository.js';
import { ProductRepository } from '../../persistence/product.repository.js';
import { AddReviewCommand, type AddReviewResult } from './add-review.command.js';

/**
 * Looks up the two facts the review rules need (received? already reviewed?) in the same
 * transaction, lets the Product decide, then stores the review and the product's new rating
 * totals together. The unique (productId, customerId) index settles two concurrent first reviews.
 */
@CommandHandler(AddReviewCommand)
export class AddReviewHandler implements ICommandHandler<AddReviewCommand, AddReviewResult> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly products: ProductRepository,
    private readonly reviews: ProductReviewRepository,
    private readonly purchases: DeliveredPurchaseRepository,
  ) {}

  execute(cmd: AddReviewCommand): Promise<AddReviewResult> {
    const now = new Date();
    const reviewId = cmd.reviewId ?? `rev_${randomUUID()}`;
    return this.uow.run(async (session) => {
      const product = await this.products.require(cmd.productId, session);
      const hasReceived = await this.purchases.hasReceived(cmd.customerId, cmd.productId, session);
      const alreadyReviewed = await this.reviews.exists(cmd.productId, cmd.customerId, session);
      const review = { reviewId, customerId: cmd.customerId, ...cmd.review };
      product.addReview(review, { hasReceived, alreadyReviewed }, { correlationId: cmd.correlationId, now });
      await this.reviews.insert({ ...review, productId: cmd.productId, createdAt: now }, session);
      const events = await this.products.save(product, session);
      return { result: { id: product.productId, version: product.version, reviewId }, events };
    });
  }
}
