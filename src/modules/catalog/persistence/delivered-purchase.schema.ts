import { Schema } from 'mongoose';

/**
 * `delivered_purchases` (catalog-owned, write db): which customer has received which product, kept
 * from the orders context's `orders.order-delivered` events. Read by the add-review rule. One
 * document per (customerId, productId); `orderIds` makes applying the same event twice a no-op.
 */
export const DELIVERED_PURCHASES = 'delivered_purchases';

export interface DeliveredPurchaseDoc {
  customerId: string;
  productId: string;
  orderIds: string[];
  firstDeliveredAt: Date;
}

export const DeliveredPurchaseSchema = new Schema<DeliveredPurchaseDoc>(
  {
    customerId: { type: String, required: true },
    productId: { type: String, required: true },
    orderIds: { type: [String], required: true },
    firstDeliveredAt: { type: Date, required: true },
  },
  { collection: DELIVERED_PURCHASES, versionKey: false, strict: 'throw' },
);
DeliveredPurchaseSchema.index({ customerId: 1, productId: 1 }, { unique: true });
