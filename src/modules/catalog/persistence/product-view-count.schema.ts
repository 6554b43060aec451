import { Schema } from 'mongoose';

/**
 * `product_view_counts` (write model): the ProductViews aggregate, one document per viewed product
 * (absent = never viewed). `version` counts its `catalog.product-views-recorded` events.
 */
export const PRODUCT_VIEW_COUNTS = 'product_view_counts';

export interface ProductViewCountDoc {
  productId: string;
  totalViews: number;
  version: number;
  updatedAt: Date;
}

export const ProductViewCountSchema = new Schema<ProductViewCountDoc>(
  {
    productId: { type: String, required: true },
    totalViews: { type: Number, required: true, min: 0 },
    version: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: PRODUCT_VIEW_COUNTS, versionKey: false, strict: 'throw' },
);
ProductViewCountSchema.index({ productId: 1 }, { unique: true });
