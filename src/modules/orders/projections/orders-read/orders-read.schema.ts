/**
 * `orders_read` as a Mongoose schema on the read connection: the one declaration of the read
 * model's fields, types and indexes (the projection builds the indexes from it; evolve functions in
 * orders-read.evolve.ts produce documents of this shape, which orders-read.schema.spec.ts checks).
 */
import { Schema } from 'mongoose';
import {
  indexesOf,
  readModelSchemaOptions,
  subSchema,
} from '../../../../shared/projections/schema-indexes.js';
import { ORDER_STATUSES } from '../../orders.public.js';
import type { OrdersReadDoc } from './orders-read.evolve.js';

export const ORDERS_READ = 'orders_read';

const sub = subSchema;
const nullableString = { type: String, default: null };

const AddressSchema = sub({
  addressId: { type: String, required: true },
  label: { type: String, required: true },
  line1: { type: String, required: true },
  line2: nullableString,
  city: { type: String, required: true },
  region: nullableString,
  postalCode: { type: String, required: true },
  country: { type: String, required: true },
  version: { type: Number, required: true },
});

export const OrdersReadSchema = new Schema<OrdersReadDoc & { _rev?: number }>(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    customer: sub({
      customerId: { type: String, required: true },
      name: { type: String, required: true },
      email: { type: String, required: true },
      phone: nullableString,
      vipStatus: { type: String, required: true },
      profileVersion: { type: Number, required: true },
      vipVersion: { type: Number, required: true },
      stamp: { type: Number, required: true },
    }),
    items: [
      sub({
        productId: { type: String, required: true },
        sku: { type: String, required: true },
        name: { type: String, required: true },
        imageUrl: nullableString,
        category: [String],
        brand: { type: String, required: true },
        quantity: { type: Number, required: true },
        unitPrice: { type: Schema.Types.Decimal128, required: true },
        subtotal: { type: Schema.Types.Decimal128, required: true },
        productStamp: { type: Number, required: true },
      }),
    ],
    itemCount: { type: Number, required: true },
    amounts: sub({
      subtotal: { type: Schema.Types.Decimal128, required: true },
      taxRate: { type: Schema.Types.Decimal128, required: true },
      tax: { type: Schema.Types.Decimal128, required: true },
      shipping: { type: Schema.Types.Decimal128, required: true },
      total: { type: Schema.Types.Decimal128, required: true },
      currency: { type: String, required: true },
    }),
    status: { type: String, enum: ORDER_STATUSES, required: true },
    statusHistory: [
      sub({
        status: { type: String, enum: ORDER_STATUSES, required: true },
        previousStatus: { type: String, enum: [...ORDER_STATUSES, null], default: null },
        at: { type: Date, required: true },
        version: { type: Number, required: true },
        cancelledBy: { type: String, enum: ['customer', 'admin'] },
        reason: nullableString,
      }),
    ],
    shippingAddress: AddressSchema,
    billingAddress: AddressSchema,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    lastSyncedFrom: sub({
      writeModelVersion: { type: Number, required: true },
      syncedAt: { type: Date, required: true },
    }),
    searchText: { type: String, required: true },
    /** Storage bookkeeping of the guarded saves (batch-save.ts), not part of the read model. */
    _rev: Number,
  },
  readModelSchemaOptions(ORDERS_READ),
);

OrdersReadSchema.index({ 'customer.customerId': 1, createdAt: -1 }, { name: 'customer_createdAt' });
OrdersReadSchema.index({ 'customer.customerId': 1, 'amounts.total': -1 }, { name: 'customer_total' });
OrdersReadSchema.index({ status: 1, createdAt: -1 }, { name: 'status_createdAt' });
OrdersReadSchema.index({ createdAt: -1 }, { name: 'createdAt' });
OrdersReadSchema.index({ 'amounts.total': 1 }, { name: 'total' });
OrdersReadSchema.index({ 'items.productId': 1 }, { name: 'items_productId' });
OrdersReadSchema.index({ searchText: 'text' }, { name: 'searchText_text', default_language: 'english' });

/** The indexes, the fan-out lookups among them marked as the projection's own. */
export const ORDERS_READ_INDEXES = indexesOf(OrdersReadSchema, ['customer_createdAt', 'items_productId']);
