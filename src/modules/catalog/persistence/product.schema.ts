import { Schema, type Types } from 'mongoose';
import { PRODUCT_STATUSES, type ProductStatus } from '../catalog.public.js';

/**
 * `products` (write model): one document per Product aggregate. `version` is the aggregate version
 * (the number of events the product has raised) and the optimistic lock: every save is
 * `updateOne({ productId, version: loaded }, ...)`. Price is Decimal128 with two fraction digits.
 * `inventory.quantity` = units available to sell, `inventory.reserved` = units held by pending and
 * confirmed orders; both integers >= 0. `ratings` = count and sum of review ratings.
 */
export const PRODUCTS = 'products';

export interface ProductDoc {
  productId: string;
  sku: string;
  name: string;
  description: string;
  brand: string;
  category: string[];
  price: Types.Decimal128;
  currency: string;
  images: string[];
  features: string[];
  status: ProductStatus;
  inventory: { quantity: number; reserved: number };
  ratings: { count: number; sum: number };
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const nonNegativeInt = { type: Number, required: true, min: 0, validate: Number.isInteger };

export const ProductSchema = new Schema<ProductDoc>(
  {
    productId: { type: String, required: true },
    sku: { type: String, required: true },
    name: { type: String, required: true },
    description: { type: String, default: '' },
    brand: { type: String, required: true },
    category: { type: [String], required: true },
    price: { type: Schema.Types.Decimal128, required: true },
    currency: { type: String, required: true },
    images: { type: [String], default: [] },
    features: { type: [String], default: [] },
    status: { type: String, enum: PRODUCT_STATUSES, required: true },
    inventory: {
      quantity: nonNegativeInt,
      reserved: nonNegativeInt,
    },
    ratings: {
      count: nonNegativeInt,
      sum: nonNegativeInt,
    },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: PRODUCTS, versionKey: false, strict: 'throw', minimize: false },
);
ProductSchema.index({ productId: 1 }, { unique: true });
ProductSchema.index({ sku: 1 }, { unique: true });
