/**
 * `orders_summary` (one document per UTC day) as a Mongoose schema on the read connection: the one
 * declaration of the read model's fields, types and indexes. The projection
 * (orders-summary.projection.ts) writes documents of this shape (orders-summary.deltas.spec.ts
 * checks them against it).
 */
import { Schema } from 'mongoose';
import { readModelSchemaOptions, subSchema } from '../../../../shared/projections/schema-indexes.js';
import { ORDER_STATUSES } from '../../orders.public.js';
import type { OrdersSummaryDoc } from './orders-summary.evolve.js';

export const ORDERS_SUMMARY = 'orders_summary';

const sub = subSchema;
const money = { type: Schema.Types.Decimal128, required: true };

export const OrdersSummarySchema = new Schema<OrdersSummaryDoc & { computedAt: Date }>(
  {
    _id: { type: String, required: true },
    date: { type: String, required: true },
    currency: { type: String, default: null },
    orderCount: { type: Number, required: true },
    revenueOrderCount: { type: Number, required: true },
    totalRevenue: money,
    avgOrderValue: money,
    byStatus: sub(Object.fromEntries(ORDER_STATUSES.map((s) => [s, { type: Number, required: true }]))),
    topCustomers: [
      sub({
        customerId: { type: String, required: true },
        name: { type: String, default: null },
        orderCount: { type: Number, required: true },
        totalSpent: money,
      }),
    ],
    topProducts: [
      sub({
        productId: { type: String, required: true },
        name: { type: String, required: true },
        quantity: { type: Number, required: true },
        revenue: money,
      }),
    ],
    /** Wall-clock time of the last change (verify ignores it). */
    computedAt: { type: Date, required: true },
  },
  readModelSchemaOptions(ORDERS_SUMMARY),
);
