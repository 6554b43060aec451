/** OpenAPI schemas of the order query responses (order.response.dto.ts). */
import {
  arrayOf,
  dateTime,
  int,
  money,
  nullable,
  obj,
  oneOf,
  PAGINATION_SCHEMA,
  str,
  type SchemaObject,
} from '../../../shared/http/openapi-schema.js';
import { ORDER_STATUSES } from '../domain/order.aggregate.js';

const status = oneOf(ORDER_STATUSES);
const address = obj(
  {
    addressId: str(),
    label: str(),
    line1: str(),
    line2: nullable(str()),
    city: str(),
    region: nullable(str()),
    postalCode: str(),
    country: str(),
  },
  ['line2', 'region'],
);

export const ORDER_RESPONSE_SCHEMA: SchemaObject = obj({
  orderId: str(),
  customer: obj({
    customerId: str(),
    name: str(),
    email: str(),
    phone: nullable(str()),
    vipStatus: str(),
  }),
  items: arrayOf(
    obj({
      productId: str(),
      sku: str(),
      name: str(),
      imageUrl: nullable(str()),
      category: arrayOf(str()),
      brand: str(),
      quantity: int(),
      unitPrice: money(),
      subtotal: money(),
    }),
  ),
  itemCount: int(),
  amounts: obj({
    subtotal: money(),
    taxRate: str('Decimal fraction, e.g. "0.08"'),
    tax: money(),
    shipping: money(),
    total: money(),
    currency: str(),
  }),
  status,
  statusHistory: arrayOf(
    obj(
      {
        status,
        previousStatus: nullable(status),
        at: dateTime(),
        version: int(),
        cancelledBy: oneOf(['customer', 'admin']),
        reason: nullable(str()),
      },
      ['cancelledBy', 'reason'],
    ),
  ),
  shippingAddress: address,
  billingAddress: address,
  createdAt: dateTime(),
  updatedAt: dateTime(),
  version: int(),
  lastSyncedFrom: obj({ writeModelVersion: int(), syncedAt: dateTime() }),
});

export const ORDER_LIST_RESPONSE_SCHEMA: SchemaObject = obj({
  items: arrayOf(ORDER_RESPONSE_SCHEMA),
  pagination: PAGINATION_SCHEMA,
});

export const ORDERS_SUMMARY_RESPONSE_SCHEMA: SchemaObject = obj({
  date: str('YYYY-MM-DD'),
  currency: nullable(str()),
  orderCount: int(),
  revenueOrderCount: int(),
  totalRevenue: money(),
  avgOrderValue: money(),
  byStatus: obj(Object.fromEntries(ORDER_STATUSES.map((s) => [s, int()]))),
  topCustomers: arrayOf(
    obj({ customerId: str(), name: nullable(str()), orderCount: int(), totalSpent: money() }),
  ),
  topProducts: arrayOf(obj({ productId: str(), name: str(), quantity: int(), revenue: money() })),
});
