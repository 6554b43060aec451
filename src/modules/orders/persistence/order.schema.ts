import { Schema, type Types } from 'mongoose';
import { ORDER_STATUSES, type OrderStatus } from '../domain/order.aggregate.js';

/**
 * `orders` (write model): one document per order, normalized (customer and addresses by id; the
 * product name and sku are copied because a line records what was sold). Money is Decimal128 with
 * two fraction digits. `version` is the aggregate version and the optimistic lock: every save is
 * `updateOne({ orderId, version: loaded }, ...)`.
 */
export const ORDERS = 'orders';

export interface OrderItemDoc {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  priceAtOrder: Types.Decimal128;
  subtotal: Types.Decimal128;
}

export interface OrderDoc {
  orderId: string;
  customerId: string;
  items: OrderItemDoc[];
  subtotal: Types.Decimal128;
  tax: Types.Decimal128;
  shipping: Types.Decimal128;
  total: Types.Decimal128;
  currency: string;
  status: OrderStatus;
  shippingAddressId: string;
  billingAddressId: string;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

const OrderItemSchema = new Schema<OrderItemDoc>(
  {
    productId: { type: String, required: true },
    sku: { type: String, required: true },
    name: { type: String, required: true },
    quantity: { type: Number, required: true, min: 1 },
    priceAtOrder: { type: Schema.Types.Decimal128, required: true },
    subtotal: { type: Schema.Types.Decimal128, required: true },
  },
  { _id: false, strict: 'throw' },
);

export const OrderSchema = new Schema<OrderDoc>(
  {
    orderId: { type: String, required: true },
    customerId: { type: String, required: true },
    items: { type: [OrderItemSchema], required: true },
    subtotal: { type: Schema.Types.Decimal128, required: true },
    tax: { type: Schema.Types.Decimal128, required: true },
    shipping: { type: Schema.Types.Decimal128, required: true },
    total: { type: Schema.Types.Decimal128, required: true },
    currency: { type: String, required: true },
    status: { type: String, enum: ORDER_STATUSES, required: true },
    shippingAddressId: { type: String, required: true },
    billingAddressId: { type: String, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    version: { type: Number, required: true, min: 1 },
  },
  { collection: ORDERS, versionKey: false, strict: 'throw' },
);
OrderSchema.index({ orderId: 1 }, { unique: true });
OrderSchema.index({ customerId: 1, createdAt: -1 });
OrderSchema.index({ status: 1 });
