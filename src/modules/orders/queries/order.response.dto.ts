/**
 * The JSON shapes of the order queries: the read-model documents with money as exact decimal
 * strings ("54.57") and dates as ISO-8601 strings. Internal bookkeeping (`_rev`, embedded-copy
 * versions and stamps, `searchText`) is not exposed.
 */
import type { Decimal128 } from 'mongodb';
import { formatMoney } from '../../../shared/money/money.js';
import type { OrderAddressSnapshot, OrderStatus } from '../orders.public.js';
import type { OrdersReadDoc, StatusHistoryEntry } from '../projections/orders-read/orders-read.evolve.js';
import type { OrdersSummaryDoc } from '../projections/orders-summary/orders-summary.evolve.js';

const m = (d: Decimal128): string => formatMoney(d);

export interface OrderItemResponseDto {
  productId: string;
  sku: string;
  name: string;
  imageUrl: string | null;
  category: string[];
  brand: string;
  quantity: number;
  unitPrice: string;
  subtotal: string;
}

export interface StatusHistoryResponseDto {
  status: OrderStatus;
  previousStatus: OrderStatus | null;
  at: string;
  version: number;
  cancelledBy?: 'customer' | 'admin';
  reason?: string | null;
}

export interface OrderResponseDto {
  orderId: string;
  customer: { customerId: string; name: string; email: string; phone: string | null; vipStatus: string };
  items: OrderItemResponseDto[];
  itemCount: number;
  amounts: {
    subtotal: string;
    taxRate: string;
    tax: string;
    shipping: string;
    total: string;
    currency: string;
  };
  status: OrderStatus;
  statusHistory: StatusHistoryResponseDto[];
  shippingAddress: OrderAddressSnapshot;
  billingAddress: OrderAddressSnapshot;
  createdAt: string;
  updatedAt: string;
  /** The order version the read model reflects, and when it was last written. */
  version: number;
  lastSyncedFrom: { writeModelVersion: number; syncedAt: string };
}

const address = (a: OrderAddressSnapshot): OrderAddressSnapshot => ({
  addressId: a.addressId,
  label: a.label,
  line1: a.line1,
  line2: a.line2,
  city: a.city,
  region: a.region,
  postalCode: a.postalCode,
  country: a.country,
});

const history = (h: StatusHistoryEntry): StatusHistoryResponseDto => ({
  status: h.status,
  previousStatus: h.previousStatus,
  at: h.at.toISOString(),
  version: h.version,
  ...(h.cancelledBy !== undefined ? { cancelledBy: h.cancelledBy, reason: h.reason ?? null } : {}),
});

export function toOrderResponse(d: OrdersReadDoc): OrderResponseDto {
  return {
    orderId: d.orderId,
    customer: {
      customerId: d.customer.customerId,
      name: d.customer.name,
      email: d.customer.email,
      phone: d.customer.phone,
      vipStatus: d.customer.vipStatus,
    },
    items: d.items.map((i) => ({
      productId: i.productId,
      sku: i.sku,
      name: i.name,
      imageUrl: i.imageUrl,
      category: i.category,
      brand: i.brand,
      quantity: i.quantity,
      unitPrice: m(i.unitPrice),
      subtotal: m(i.subtotal),
    })),
    itemCount: d.itemCount,
    amounts: {
      subtotal: m(d.amounts.subtotal),
      taxRate: d.amounts.taxRate.toString(),
      tax: m(d.amounts.tax),
      shipping: m(d.amounts.shipping),
      total: m(d.amounts.total),
      currency: d.amounts.currency,
    },
    status: d.status,
    statusHistory: d.statusHistory.map(history),
    shippingAddress: address(d.shippingAddress),
    billingAddress: address(d.billingAddress),
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
    version: d.lastSyncedFrom.writeModelVersion,
    lastSyncedFrom: {
      writeModelVersion: d.lastSyncedFrom.writeModelVersion,
      syncedAt: d.lastSyncedFrom.syncedAt.toISOString(),
    },
  };
}

export interface PaginationDto {
  total: number;
  limit: number;
  offset: number;
  pages: number;
}

export interface OrderListResponseDto {
  items: OrderResponseDto[];
  pagination: PaginationDto;
}

/**
 * A page of orders as the list queries cache it: the items serialized once, when the page is loaded
 * (`itemsJson`, a JSON array of OrderResponseDto), and the total; a cache hit then writes text.
 */
export interface OrderPageAnswer {
  readonly itemsJson: string;
  readonly total: number;
}

export const orderPageAnswer = (items: OrderResponseDto[], total: number): OrderPageAnswer => ({
  itemsJson: JSON.stringify(items),
  total,
});

/** The OrderListResponseDto of a page as JSON text: the same text as serializing the object. */
export const orderListJson = (page: OrderPageAnswer, limit: number, offset: number): string =>
  `{"items":${page.itemsJson},"pagination":${JSON.stringify(pagination(page.total, limit, offset))}}`;

export const pagination = (total: number, limit: number, offset: number): PaginationDto => ({
  total,
  limit,
  offset,
  pages: Math.ceil(total / limit),
});

export interface OrdersSummaryResponseDto {
  date: string;
  currency: string | null;
  orderCount: number;
  revenueOrderCount: number;
  totalRevenue: string;
  avgOrderValue: string;
  byStatus: Record<OrderStatus, number>;
  topCustomers: { customerId: string; name: string | null; orderCount: number; totalSpent: string }[];
  topProducts: { productId: string; name: string; quantity: number; revenue: string }[];
}

export function toSummaryResponse(s: OrdersSummaryDoc): OrdersSummaryResponseDto {
  return {
    date: s.date,
    currency: s.currency,
    orderCount: s.orderCount,
    revenueOrderCount: s.revenueOrderCount,
    totalRevenue: m(s.totalRevenue),
    avgOrderValue: m(s.avgOrderValue),
    byStatus: s.byStatus,
    topCustomers: s.topCustomers.map((c) => ({ ...c, totalSpent: m(c.totalSpent) })),
    topProducts: s.topProducts.map((p) => ({ ...p, revenue: m(p.revenue) })),
  };
}
