/**
 * `orders_read`: the pure part of the projection (Emmett's `evolve` + `canHandle`). No I/O: the
 * projection class loads the current documents, calls these functions, and saves the result.
 *
 * Three kinds of documents:
 * - `OrdersReadDoc` (collection `orders_read`): one per order, with the customer, the addresses and
 *   the product details embedded.
 * - `CustomerRef` (helper collection `orders_read_customers`): the latest known profile, VIP status
 *   and addresses of each customer, merged from the customers' events.
 * - `ProductRef` (helper collection `orders_read_products`): the latest known display details of
 *   each product, merged from the catalog's events.
 *
 * Why the helpers: fan-out pushes a ref's *current merged state* (never a single event's values) to
 * every order that embeds an older copy, and an order placed (or projected) after a change takes the
 * current ref state. So a duplicate, late or out-of-order customer / product event can never roll an
 * embedded copy back. Each merged group keeps the aggregate version that last set it, and the copy in
 * an order remembers the versions it was taken from: the customer's `profileVersion` / `vipVersion`,
 * each address's `version`, and per line a `productStamp` (the sum of the product's field versions,
 * which strictly grows with every change of the ref). "Update only where the embedded version is
 * lower" is then a version guard that is exact whatever the order of events.
 *
 * Order events: `lastSyncedFrom.writeModelVersion` is the highest version N such that versions 1..N
 * of the order have all been applied; an event with a version already applied is a no-op. A status
 * event that arrives before a lower one (possible across the fast and resync paths) is merged into
 * `statusHistory` by version, and `status` / `updatedAt` always come from the highest version seen,
 * so any order of arrival gives the same document. A status event for an order whose placement has
 * not been projected yet cannot be applied (`'not-yet'`); the projection throws and the runtime
 * retries it.
 */
import { Decimal128 } from 'mongodb';
import type { StoredEvent } from '../../../../shared/events/event-registry.js';
import type {
  OrderAddressSnapshot,
  OrderCancelledPayload,
  OrderPlacedPayload,
  OrderStatus,
  OrderStatusChangedPayload,
} from '../../orders.public.js';

export const ORDER_EVENT_TYPES = {
  placed: 'orders.order-placed',
  confirmed: 'orders.order-confirmed',
  shipped: 'orders.order-shipped',
  delivered: 'orders.order-delivered',
  cancelled: 'orders.order-cancelled',
} as const;

export const ORDER_STATUS_EVENT_TYPES: readonly string[] = [
  ORDER_EVENT_TYPES.confirmed,
  ORDER_EVENT_TYPES.shipped,
  ORDER_EVENT_TYPES.delivered,
  ORDER_EVENT_TYPES.cancelled,
];

export const CUSTOMER_EVENT_TYPES = {
  registered: 'customers.customer-registered',
  profileUpdated: 'customers.customer-profile-updated',
  vipChanged: 'customers.customer-vip-status-changed',
  addressAdded: 'customers.address-added',
  addressUpdated: 'customers.address-updated',
} as const;

export const PRODUCT_EVENT_TYPES = {
  created: 'catalog.product-created',
  updated: 'catalog.product-updated',
} as const;

/** Every event type `orders_read` consumes. */
export const ORDERS_READ_HANDLES: readonly string[] = [
  ...Object.values(ORDER_EVENT_TYPES),
  ...Object.values(CUSTOMER_EVENT_TYPES),
  ...Object.values(PRODUCT_EVENT_TYPES),
];

export const canHandle = (type: string): boolean => ORDERS_READ_HANDLES.includes(type);

// ---------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------

export interface EmbeddedCustomer {
  customerId: string;
  name: string;
  email: string;
  phone: string | null;
  vipStatus: string;
  /** Customer version that last set name/email/phone (0: the order's snapshot). */
  profileVersion: number;
  /** Customer version that last set vipStatus (0: the order's snapshot). */
  vipVersion: number;
  /** profileVersion + vipVersion (grows with every change copied in). */
  stamp: number;
}

export interface EmbeddedAddress extends OrderAddressSnapshot {
  /** Customer version of the address event this copy comes from (0: the order's snapshot). */
  version: number;
}

export interface OrdersReadItem {
  productId: string;
  sku: string;
  name: string;
  imageUrl: string | null;
  category: string[];
  brand: string;
  quantity: number;
  unitPrice: Decimal128;
  subtotal: Decimal128;
  /** Sum of the product ref's field versions this copy comes from (0: the order's snapshot). */
  productStamp: number;
}

export interface StatusHistoryEntry {
  status: OrderStatus;
  previousStatus: OrderStatus | null;
  at: Date;
  /** The order version this transition produced. */
  version: number;
  /** Cancellations: who and why. */
  cancelledBy?: 'customer' | 'admin';
  reason?: string | null;
}

export interface OrderAmounts {
  subtotal: Decimal128;
  taxRate: Decimal128;
  tax: Decimal128;
  shipping: Decimal128;
  total: Decimal128;
  currency: string;
}

export interface OrdersReadDoc {
  _id: string;
  orderId: string;
  customer: EmbeddedCustomer;
  items: OrdersReadItem[];
  itemCount: number;
  amounts: OrderAmounts;
  status: OrderStatus;
  statusHistory: StatusHistoryEntry[];
  shippingAddress: EmbeddedAddress;
  billingAddress: EmbeddedAddress;
  createdAt: Date;
  updatedAt: Date;
  lastSyncedFrom: { writeModelVersion: number; syncedAt: Date };
  searchText: string;
}

export interface RefAddress extends OrderAddressSnapshot {
  version: number;
}

export interface CustomerRef {
  _id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  profileVersion: number;
  vipStatus: string | null;
  vipVersion: number;
  addresses: RefAddress[];
}

export type ProductField = 'sku' | 'name' | 'imageUrl' | 'category' | 'brand';
export const PRODUCT_FIELDS: readonly ProductField[] = ['sku', 'name', 'imageUrl', 'category', 'brand'];

export interface ProductRef {
  _id: string;
  sku: string | null;
  name: string | null;
  imageUrl: string | null;
  category: string[] | null;
  brand: string | null;
  /** Product version that last set each field (absent: never set). */
  versions: Partial<Record<ProductField, number>>;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const d128 = (s: string): Decimal128 => Decimal128.fromString(s);

export const customerStamp = (ref: CustomerRef): number => ref.profileVersion + ref.vipVersion;

export const productStamp = (ref: ProductRef): number =>
  PRODUCT_FIELDS.reduce((sum, f) => sum + (ref.versions[f] ?? 0), 0);

/** Lower-cased words users search orders by: order id, customer, products, city. */
export function buildSearchText(doc: Omit<OrdersReadDoc, 'searchText'>): string {
  const parts = [
    doc.orderId,
    doc.customer.name,
    doc.customer.email,
    ...doc.items.flatMap((i) => [i.name, i.sku, i.brand, ...i.category]),
    doc.shippingAddress.city,
    doc.shippingAddress.country,
  ];
  return parts
    .filter((p) => p.length > 0)
    .join(' ')
    .toLowerCase();
}

function withSearchText(doc: OrdersReadDoc): OrdersReadDoc {
  return { ...doc, searchText: buildSearchText(doc) };
}

function contiguousVersion(history: readonly StatusHistoryEntry[]): number {
  let n = 0;
  for (const h of [...history].sort((a, b) => a.version - b.version)) {
    if (h.version === n + 1) n = h.version;
    else if (h.version > n + 1) break;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Embedding (fan-out): copy a ref's newer state into an order
// ---------------------------------------------------------------------------------------------

/** The order with the customer's newer profile / VIP / address copies; the same object if none is newer. */
export function embedCustomer(doc: OrdersReadDoc, ref: CustomerRef): OrdersReadDoc {
  if (doc.customer.customerId !== ref._id) return doc;
  let changed = false;
  let customer = doc.customer;
  if (ref.profileVersion > customer.profileVersion && ref.name !== null && ref.email !== null) {
    customer = {
      ...customer,
      name: ref.name,
      email: ref.email,
      phone: ref.phone,
      profileVersion: ref.profileVersion,
    };
    changed = true;
  }
  if (ref.vipVersion > customer.vipVersion && ref.vipStatus !== null) {
    customer = { ...customer, vipStatus: ref.vipStatus, vipVersion: ref.vipVersion };
    changed = true;
  }
  customer = { ...customer, stamp: customer.profileVersion + customer.vipVersion };
  const syncAddress = (a: EmbeddedAddress): EmbeddedAddress => {
    const r = ref.addresses.find((x) => x.addressId === a.addressId);
    if (!r || r.version <= a.version) return a;
    changed = true;
    return { ...r };
  };
  const shippingAddress = syncAddress(doc.shippingAddress);
  const billingAddress = syncAddress(doc.billingAddress);
  if (!changed) return doc;
  return withSearchText({ ...doc, customer, shippingAddress, billingAddress });
}

/** The order with the product's newer details on its lines; the same object if none is newer. */
export function embedProduct(doc: OrdersReadDoc, ref: ProductRef): OrdersReadDoc {
  const stamp = productStamp(ref);
  let changed = false;
  const items = doc.items.map((item) => {
    if (item.productId !== ref._id || stamp <= item.productStamp) return item;
    changed = true;
    return {
      ...item,
      sku: ref.versions.sku ? (ref.sku ?? item.sku) : item.sku,
      name: ref.versions.name ? (ref.name ?? item.name) : item.name,
      imageUrl: ref.versions.imageUrl ? ref.imageUrl : item.imageUrl,
      category: ref.versions.category ? (ref.category ?? item.category) : item.category,
      brand: ref.versions.brand ? (ref.brand ?? item.brand) : item.brand,
      productStamp: stamp,
    };
  });
  if (!changed) return doc;
  return withSearchText({ ...doc, items });
}

// ---------------------------------------------------------------------------------------------
// Order events
// ---------------------------------------------------------------------------------------------

export interface OrderEvolveContext {
  /** Wall-clock time of this application (`lastSyncedFrom.syncedAt`). */
  now: Date;
  /** Current refs, so an order projected after a customer / product change embeds the newer state. */
  customer?: CustomerRef | null;
  products?: readonly ProductRef[];
}

export type OrderEvolveResult = OrdersReadDoc | 'not-yet';

function fromPlaced(event: StoredEvent, ctx: OrderEvolveContext): OrdersReadDoc {
  const p = event.payload as unknown as OrderPlacedPayload;
  const placedAt = new Date(p.placedAt);
  const history: StatusHistoryEntry[] = [
    { status: 'pending', previousStatus: null, at: placedAt, version: event.aggregateVersion },
  ];
  let doc: OrdersReadDoc = {
    _id: p.orderId,
    orderId: p.orderId,
    customer: {
      customerId: p.customer.customerId,
      name: p.customer.name,
      email: p.customer.email,
      phone: p.customer.phone,
      vipStatus: p.customer.vipStatus,
      profileVersion: 0,
      vipVersion: 0,
      stamp: 0,
    },
    items: p.items.map((l) => ({
      productId: l.productId,
      sku: l.sku,
      name: l.name,
      imageUrl: l.imageUrl,
      category: [...l.category],
      brand: l.brand,
      quantity: l.quantity,
      unitPrice: d128(l.priceAtOrder),
      subtotal: d128(l.subtotal),
      productStamp: 0,
    })),
    itemCount: p.items.reduce((n, l) => n + l.quantity, 0),
    amounts: {
      subtotal: d128(p.subtotal),
      taxRate: d128(p.taxRate),
      tax: d128(p.tax),
      shipping: d128(p.shipping),
      total: d128(p.total),
      currency: p.currency,
    },
    status: 'pending',
    statusHistory: history,
    shippingAddress: { ...p.shippingAddress, version: 0 },
    billingAddress: { ...p.billingAddress, version: 0 },
    createdAt: placedAt,
    updatedAt: placedAt,
    lastSyncedFrom: { writeModelVersion: event.aggregateVersion, syncedAt: ctx.now },
    searchText: '',
  };
  doc = withSearchText(doc);
  if (ctx.customer) doc = embedCustomer(doc, ctx.customer);
  for (const ref of ctx.products ?? []) doc = embedProduct(doc, ref);
  return doc;
}

function withStatusEvent(doc: OrdersReadDoc, event: StoredEvent, now: Date): OrdersReadDoc {
  const p = event.payload as unknown as OrderStatusChangedPayload;
  const entry: StatusHistoryEntry = {
    status: p.status,
    previousStatus: p.previousStatus,
    at: new Date(p.changedAt),
    version: event.aggregateVersion,
  };
  if (event.type === ORDER_EVENT_TYPES.cancelled) {
    const c = event.payload as unknown as OrderCancelledPayload;
    entry.cancelledBy = c.cancelledBy;
    entry.reason = c.reason;
  }
  const statusHistory = [...doc.statusHistory, entry].sort((a, b) => a.version - b.version);
  const latest = statusHistory[statusHistory.length - 1];
  return {
    ...doc,
    status: latest.status,
    updatedAt: latest.at,
    statusHistory,
    lastSyncedFrom: { writeModelVersion: contiguousVersion(statusHistory), syncedAt: now },
  };
}

/**
 * Applies an order event. Returns the same object when the event changes nothing (already
 * applied), `'not-yet'` when it cannot be applied before the order's placement.
 */
export function evolveOrder(
  doc: OrdersReadDoc | null,
  event: StoredEvent,
  ctx: OrderEvolveContext,
): OrderEvolveResult {
  if (event.type === ORDER_EVENT_TYPES.placed) return doc ?? fromPlaced(event, ctx);
  if (!ORDER_STATUS_EVENT_TYPES.includes(event.type)) return doc ?? 'not-yet';
  if (!doc) return 'not-yet';
  // Version guard: a version at or below the contiguous applied version, or already in the
  // history (applied out of order), changes nothing.
  if (event.aggregateVersion <= doc.lastSyncedFrom.writeModelVersion) return doc;
  if (doc.statusHistory.some((h) => h.version === event.aggregateVersion)) return doc;
  return withStatusEvent(doc, event, ctx.now);
}

// ---------------------------------------------------------------------------------------------
// Customer and product refs
// ---------------------------------------------------------------------------------------------

interface ProfilePayload {
  name: string;
  email: string;
  phone: string | null;
}

interface AddressEventPayload extends OrderAddressSnapshot {
  isDefault?: boolean;
}

/** Merges a customer event into the ref; the same object when it changes nothing. */
export function evolveCustomerRef(ref: CustomerRef | null, event: StoredEvent): CustomerRef {
  const v = event.aggregateVersion;
  let next: CustomerRef = ref ?? {
    _id: event.aggregateId,
    name: null,
    email: null,
    phone: null,
    profileVersion: 0,
    vipStatus: null,
    vipVersion: 0,
    addresses: [],
  };
  let changed = ref === null;
  const setProfile = (p: ProfilePayload): void => {
    if (v <= next.profileVersion) return;
    next = { ...next, name: p.name, email: p.email, phone: p.phone, profileVersion: v };
    changed = true;
  };
  const setVip = (vipStatus: string): void => {
    if (v <= next.vipVersion) return;
    next = { ...next, vipStatus, vipVersion: v };
    changed = true;
  };
  switch (event.type) {
    case CUSTOMER_EVENT_TYPES.registered: {
      const p = event.payload as unknown as ProfilePayload & { vipStatus: string };
      setProfile(p);
      setVip(p.vipStatus);
      break;
    }
    case CUSTOMER_EVENT_TYPES.profileUpdated:
      setProfile(event.payload as unknown as ProfilePayload);
      break;
    case CUSTOMER_EVENT_TYPES.vipChanged:
      setVip((event.payload as unknown as { vipStatus: string }).vipStatus);
      break;
    case CUSTOMER_EVENT_TYPES.addressAdded:
    case CUSTOMER_EVENT_TYPES.addressUpdated: {
      const a = event.payload as unknown as AddressEventPayload;
      const existing = next.addresses.find((x) => x.addressId === a.addressId);
      if (existing && existing.version >= v) break;
      const copy: RefAddress = {
        addressId: a.addressId,
        label: a.label,
        line1: a.line1,
        line2: a.line2,
        city: a.city,
        region: a.region,
        postalCode: a.postalCode,
        country: a.country,
        version: v,
      };
      next = {
        ...next,
        addresses: [...next.addresses.filter((x) => x.addressId !== a.addressId), copy].sort((x, y) =>
          x.addressId.localeCompare(y.addressId),
        ),
      };
      changed = true;
      break;
    }
    default:
      break;
  }
  return changed ? next : (ref as CustomerRef);
}

interface ProductEventFields {
  sku?: string;
  name?: string;
  images?: string[];
  category?: string[];
  brand?: string;
}

/** Merges a catalog event into the ref (per field, newest version wins); the same object when it changes nothing. */
export function evolveProductRef(ref: ProductRef | null, event: StoredEvent): ProductRef {
  const v = event.aggregateVersion;
  let fields: ProductEventFields;
  if (event.type === PRODUCT_EVENT_TYPES.created) fields = event.payload as unknown as ProductEventFields;
  else if (event.type === PRODUCT_EVENT_TYPES.updated)
    fields = (event.payload as unknown as { changes: ProductEventFields }).changes;
  else return ref ?? emptyProductRef(event.aggregateId);
  let next: ProductRef = ref ?? emptyProductRef(event.aggregateId);
  let changed = ref === null;
  const set = <F extends ProductField>(field: F, value: ProductRef[F]): void => {
    if ((next.versions[field] ?? 0) >= v) return;
    next = { ...next, [field]: value, versions: { ...next.versions, [field]: v } };
    changed = true;
  };
  if (fields.sku !== undefined) set('sku', fields.sku);
  if (fields.name !== undefined) set('name', fields.name);
  if (fields.images !== undefined) set('imageUrl', fields.images[0] ?? null);
  if (fields.category !== undefined) set('category', [...fields.category]);
  if (fields.brand !== undefined) set('brand', fields.brand);
  return changed ? next : (ref as ProductRef);
}

function emptyProductRef(productId: string): ProductRef {
  return { _id: productId, sku: null, name: null, imageUrl: null, category: null, brand: null, versions: {} };
}
