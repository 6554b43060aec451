/**
 * The Product aggregate: a product's catalog data, its inventory and its review totals. Commands
 * are methods that check the rules, then raise events; state only ever changes by applying an
 * event (`evolve`), so the stored state is exactly what the event history produces and the read
 * side can rebuild it. No I/O: the repository loads and saves, the handlers orchestrate.
 *
 * Version: one per event. A new product is at version 1 after its `catalog.product-created`.
 */
import { Dec, MONEY_PATTERN, toCents } from '../../../shared/money/money.js';
import {
  alreadyDiscontinued,
  alreadyReviewed,
  emptyUpdate,
  insufficientStock,
  invalidPrice,
  invalidQuantity,
  invalidRating,
  notPurchased,
  notReserved,
  outOfStock,
  productDiscontinued,
  unsupportedCurrency,
  versionConflict,
} from '../catalog.errors.js';
import type { ProductSnapshot, ProductStatus } from '../catalog.public.js';
import { InventoryAdjustedEvent } from './events/inventory-adjusted.event.js';
import { ProductCreatedEvent } from './events/product-created.event.js';
import { ProductDiscontinuedEvent } from './events/product-discontinued.event.js';
import { ProductPriceChangedEvent } from './events/product-price-changed.event.js';
import { ProductUpdatedEvent, type ProductDetails } from './events/product-updated.event.js';
import { ReviewAddedEvent } from './events/review-added.event.js';
import { StockConsumedEvent } from './events/stock-consumed.event.js';
import { StockReleasedEvent } from './events/stock-released.event.js';
import { StockReservedEvent } from './events/stock-reserved.event.js';

export type ProductEvent =
  | ProductCreatedEvent
  | ProductUpdatedEvent
  | ProductPriceChangedEvent
  | InventoryAdjustedEvent
  | ProductDiscontinuedEvent
  | ReviewAddedEvent
  | StockReservedEvent
  | StockReleasedEvent
  | StockConsumedEvent;

export interface Inventory {
  /** Units available to sell. */
  quantity: number;
  /** Units held by pending and confirmed orders. */
  reserved: number;
}

export interface ProductState extends ProductDetails {
  productId: string;
  sku: string;
  /** Exact decimal string with two fraction digits ("19.99"). */
  price: string;
  currency: string;
  status: ProductStatus;
  inventory: Inventory;
  ratings: { count: number; sum: number };
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Who runs the command and when: goes into every event's envelope. */
export interface CommandContext {
  correlationId: string;
  now: Date;
}

export interface NewProduct extends ProductDetails {
  productId: string;
  sku: string;
  price: string;
  currency: string;
  /** Initial available units (default 0). */
  quantity?: number;
}

export type DetailsChange = Partial<ProductDetails> & { price?: string };

export type InventoryChange = { delta: number; set?: undefined } | { set: number; delta?: undefined };

export interface NewReview {
  reviewId: string;
  customerId: string;
  rating: number;
  title: string;
  body: string;
}

/** Facts the handler looked up for the review rules (the aggregate does no I/O). */
export interface ReviewFacts {
  /** The customer has a delivered order containing this product. */
  hasReceived: boolean;
  /** The customer already reviewed this product. */
  alreadyReviewed: boolean;
}

export const DETAIL_FIELDS = ['name', 'description', 'brand', 'category', 'images', 'features'] as const;

/** Upper bound for any stock number, far below 2^53 so sums stay exact. */
export const MAX_STOCK = 1_000_000_000;

const isCount = (n: unknown, min: number): n is number =>
  typeof n === 'number' && Number.isInteger(n) && n >= min && n <= MAX_STOCK;

/** "19.9" -> "19.90"; rejects zero, negatives, more than 2 decimals and non-numbers. */
export function normalizePrice(price: string): string {
  if (typeof price !== 'string' || !MONEY_PATTERN.test(price)) throw invalidPrice(String(price));
  const d = new Dec(price);
  if (d.lte(0)) throw invalidPrice(price);
  return toCents(d).toFixed(2);
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** The pure state transition: state after `event`. The only place state changes. */
export function evolve(state: ProductState | undefined, event: ProductEvent): ProductState {
  const at = event.occurredAt;
  if (event instanceof ProductCreatedEvent) {
    const p = event.payload;
    return {
      productId: p.productId,
      sku: p.sku,
      name: p.name,
      description: p.description,
      brand: p.brand,
      category: [...p.category],
      price: p.price,
      currency: p.currency,
      images: [...p.images],
      features: [...p.features],
      status: p.status,
      inventory: { ...p.inventory },
      ratings: { count: 0, sum: 0 },
      version: event.aggregateVersion,
      createdAt: at,
      updatedAt: at,
    };
  }
  if (!state) throw new Error(`${event.type} applied to a product that does not exist`);
  const next: ProductState = { ...state, version: event.aggregateVersion, updatedAt: at };
  if (event instanceof ProductUpdatedEvent) return { ...next, ...structuredClone(event.payload.changes) };
  if (event instanceof ProductPriceChangedEvent) return { ...next, price: event.payload.price };
  if (event instanceof ProductDiscontinuedEvent) return { ...next, status: event.payload.status };
  if (event instanceof ReviewAddedEvent) return { ...next, ratings: { ...event.payload.ratings } };
  // Inventory events carry the resulting inventory.
  return { ...next, inventory: { ...event.payload.inventory } };
}

export class Product {
  private pending: ProductEvent[] = [];

  /**
   * @param storedVersion the version the store holds (0 = not stored yet): the optimistic lock the
   *   repository saves against.
   */
  private constructor(
    private current: ProductState,
    readonly storedVersion: number,
  ) {}

  /** A new product (rules: positive price with at most 2 decimals, service currency, stock >= 0). */
  static create(input: NewProduct, serviceCurrency: string, ctx: CommandContext): Product {
    if (input.currency !== serviceCurrency) throw unsupportedCurrency(input.currency, serviceCurrency);
    const price = normalizePrice(input.price);
    const quantity = input.quantity ?? 0;
    if (!isCount(quantity, 0)) throw invalidQuantity(input.productId, quantity);
    const event = new ProductCreatedEvent(
      input.productId,
      1,
      {
        productId: input.productId,
        sku: input.sku,
        name: input.name,
        description: input.description,
        brand: input.brand,
        category: [...input.category],
        price,
        currency: input.currency,
        images: [...input.images],
        features: [...input.features],
        status: 'active',
        inventory: { quantity, reserved: 0 },
      },
      ctx.correlationId,
      { occurredAt: ctx.now },
    );
    const product = new Product(evolve(undefined, event), 0);
    product.pending.push(event);
    return product;
  }

  /** The product as stored (no pending events). */
  static fromState(state: ProductState): Product {
    return new Product(structuredClone(state), state.version);
  }

  /** The product its history produces (tests, rebuilds). */
  static fromHistory(events: readonly ProductEvent[]): Product {
    if (events.length === 0) throw new Error('a product history starts with catalog.product-created');
    let state: ProductState | undefined;
    for (const e of events) state = evolve(state, e);
    const rebuilt = state as ProductState;
    return new Product(rebuilt, rebuilt.version);
  }

  get state(): Readonly<ProductState> {
    return this.current;
  }

  get productId(): string {
    return this.current.productId;
  }

  get version(): number {
    return this.current.version;
  }

  /** The events raised since load, in order; clears them. */
  pullEvents(): ProductEvent[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }

  /** Optimistic locking requested by the client: 409 with the current version on mismatch. */
  expectVersion(expected: number | undefined): void {
    if (expected !== undefined && expected !== this.current.version)
      throw versionConflict(this.productId, expected, this.current.version);
  }

  snapshot(): ProductSnapshot {
    const s = this.current;
    return {
      productId: s.productId,
      sku: s.sku,
      name: s.name,
      price: s.price,
      currency: s.currency,
      imageUrl: s.images[0] ?? null,
      category: [...s.category],
      brand: s.brand,
    };
  }

  /**
   * Details and price. Rules: not discontinued; at least one field named; fields equal to the
   * current value are no change. Raises `product-updated` (changed details only) and/or
   * `product-price-changed`; nothing when nothing changes.
   */
  update(change: DetailsChange, ctx: CommandContext): void {
    const named = [...DETAIL_FIELDS, 'price' as const].filter((f) => change[f] !== undefined);
    if (named.length === 0) throw emptyUpdate();
    this.requireActive();
    const price = change.price !== undefined ? normalizePrice(change.price) : undefined;
    const changes: Partial<ProductDetails> = {};
    const s = this.current;
    if (change.name !== undefined && change.name !== s.name) changes.name = change.name;
    if (change.description !== undefined && change.description !== s.description)
      changes.description = change.description;
    if (change.brand !== undefined && change.brand !== s.brand) changes.brand = change.brand;
    if (change.category !== undefined && !sameList(change.category, s.category))
      changes.category = [...change.category];
    if (change.images !== undefined && !sameList(change.images, s.images))
      changes.images = [...change.images];
    if (change.features !== undefined && !sameList(change.features, s.features))
      changes.features = [...change.features];
    if (Object.keys(changes).length > 0)
      this.raise(
        new ProductUpdatedEvent(s.productId, this.nextVersion, { changes }, ctx.correlationId, meta(ctx)),
      );
    if (price !== undefined && price !== this.current.price) {
      this.raise(
        new ProductPriceChangedEvent(
          s.productId,
          this.nextVersion,
          { previousPrice: this.current.price, price, currency: this.current.currency },
          ctx.correlationId,
          meta(ctx),
        ),
      );
    }
  }

  /**
   * Admin correction of the available quantity, by `delta` (non-zero) or to an absolute `set`.
   * Rules: not discontinued; the result stays >= 0 (409 INSUFFICIENT_STOCK); reserved units are
   * never touched (they belong to orders). Setting the current value changes nothing.
   */
  adjustInventory(change: InventoryChange, reason: string | null, ctx: CommandContext): void {
    this.requireActive();
    const { quantity, reserved } = this.current.inventory;
    let target: number;
    if (change.set !== undefined) {
      if (!isCount(change.set, 0)) throw invalidQuantity(this.productId, change.set);
      target = change.set;
    } else {
      const d = change.delta;
      if (typeof d !== 'number' || !Number.isInteger(d) || d === 0 || Math.abs(d) > MAX_STOCK)
        throw invalidQuantity(this.productId, d);
      target = quantity + d;
      if (target < 0 || target > MAX_STOCK)
        throw insufficientStock(this.productId, { quantity, reserved, requestedQuantity: target });
    }
    if (target === quantity) return;
    this.raise(
      new InventoryAdjustedEvent(
        this.productId,
        this.nextVersion,
        {
          mode: change.set !== undefined ? 'set' : 'delta',
          delta: target - quantity,
          reason,
          inventory: { quantity: target, reserved },
        },
        ctx.correlationId,
        meta(ctx),
      ),
    );
  }

  /** Rules: only an active product can be discontinued (409 ALREADY_DISCONTINUED otherwise). */
  discontinue(reason: string | null, ctx: CommandContext): void {
    if (this.current.status === 'discontinued') throw alreadyDiscontinued(this.productId);
    this.raise(
      new ProductDiscontinuedEvent(
        this.productId,
        this.nextVersion,
        { reason, status: 'discontinued' },
        ctx.correlationId,
        meta(ctx),
      ),
    );
  }

  /**
   * Order placed: quantity -= n, reserved += n. Rules: n a positive integer; product active
   * (409 PRODUCT_DISCONTINUED); n <= available (409 OUT_OF_STOCK with requested/available).
   */
  reserve(n: number, orderId: string, ctx: CommandContext): void {
    this.requirePositive(n);
    if (this.current.status !== 'active') throw productDiscontinued(this.productId);
    const { quantity, reserved } = this.current.inventory;
    if (n > quantity) throw outOfStock([{ productId: this.productId, requested: n, available: quantity }]);
    this.raise(
      new StockReservedEvent(
        this.productId,
        this.nextVersion,
        { orderId, quantity: n, inventory: { quantity: quantity - n, reserved: reserved + n } },
        ctx.correlationId,
        meta(ctx),
      ),
    );
  }

  /** Order cancelled: quantity += n, reserved -= n. Rule: n <= reserved (409 NOT_RESERVED). */
  release(n: number, orderId: string, ctx: CommandContext): void {
    this.requireReserved(n);
    const { quantity, reserved } = this.current.inventory;
    this.raise(
      new StockReleasedEvent(
        this.productId,
        this.nextVersion,
        { orderId, quantity: n, inventory: { quantity: quantity + n, reserved: reserved - n } },
        ctx.correlationId,
        meta(ctx),
      ),
    );
  }

  /** Order shipped: reserved -= n. Rule: n <= reserved (409 NOT_RESERVED). */
  consume(n: number, orderId: string, ctx: CommandContext): void {
    this.requireReserved(n);
    const { quantity, reserved } = this.current.inventory;
    this.raise(
      new StockConsumedEvent(
        this.productId,
        this.nextVersion,
        { orderId, quantity: n, inventory: { quantity, reserved: reserved - n } },
        ctx.correlationId,
        meta(ctx),
      ),
    );
  }

  /**
   * Rules, in this order: rating an integer 1..5 (400); the customer received the product
   * (403 NOT_PURCHASED); one review per customer (409 ALREADY_REVIEWED). Discontinued products
   * can still be reviewed by those who received them.
   */
  addReview(review: NewReview, facts: ReviewFacts, ctx: CommandContext): void {
    if (!Number.isInteger(review.rating) || review.rating < 1 || review.rating > 5)
      throw invalidRating(review.rating);
    if (!facts.hasReceived) throw notPurchased(this.productId);
    if (facts.alreadyReviewed) throw alreadyReviewed(this.productId, review.customerId);
    const { count, sum } = this.current.ratings;
    this.raise(
      new ReviewAddedEvent(
        this.productId,
        this.nextVersion,
        { ...review, ratings: { count: count + 1, sum: sum + review.rating } },
        ctx.correlationId,
        meta(ctx),
      ),
    );
  }

  private get nextVersion(): number {
    return this.current.version + 1;
  }

  private raise(event: ProductEvent): void {
    this.current = evolve(this.current, event);
    this.pending.push(event);
  }

  private requireActive(): void {
    if (this.current.status !== 'active') throw productDiscontinued(this.productId);
  }

  private requirePositive(n: number): void {
    if (!isCount(n, 1)) throw invalidQuantity(this.productId, n);
  }

  private requireReserved(n: number): void {
    this.requirePositive(n);
    const { reserved } = this.current.inventory;
    if (n > reserved) throw notReserved(this.productId, n, reserved);
  }
}

const meta = (ctx: CommandContext): { occurredAt: Date } => ({ occurredAt: ctx.now });
