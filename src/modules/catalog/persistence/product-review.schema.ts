import { Schema } from 'mongoose';

/**
 * `product_reviews` (write model): one document per review, part of its product's aggregate (adding
 * one bumps the product's version and rating totals). Unique on (productId, customerId): the
 * database backs the one-review-per-customer rule even under concurrent requests.
 */
export const PRODUCT_REVIEWS = 'product_reviews';

export interface ProductReviewDoc {
  reviewId: string;
  productId: string;
  customerId: string;
  rating: number;
  title: string;
  body: string;
  createdAt: Date;
}

export const ProductReviewSchema = new Schema<ProductReviewDoc>(
  {
    reviewId: { type: String, required: true },
    productId: { type: String, required: true },
    customerId: { type: String, required: true },
    rating: { type: Number, required: true, min: 1, max: 5, validate: Number.isInteger },
    title: { type: String, required: true },
    body: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: PRODUCT_REVIEWS, versionKey: false, strict: 'throw' },
);
ProductReviewSchema.index({ reviewId: 1 }, { unique: true });
ProductReviewSchema.index({ productId: 1, customerId: 1 }, { unique: true });
