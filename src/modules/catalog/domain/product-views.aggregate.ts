/**
 * A product's page-view counter: its own aggregate (aggregateId `views:<productId>`, one document in
 * `product_view_counts`), so view batches never bump the product's version nor write the product
 * document that order transactions reserve stock on. One event per flushed batch; the event
 * carries the total after it, so a version-guarded projection is exact.
 */
import { invalidQuantity } from '../catalog.errors.js';
import { ProductViewsRecordedEvent } from './events/product-views-recorded.event.js';
import type { CommandContext } from './product.aggregate.js';

export interface ProductViewsState {
  productId: string;
  totalViews: number;
  version: number;
  updatedAt: Date;
}

export const viewsAggregateId = (productId: string): string => `views:${productId}`;

/** Largest batch one event may carry (a sanity bound, far above any flush threshold). */
export const MAX_VIEW_BATCH = 1_000_000;

export class ProductViews {
  private pending: ProductViewsRecordedEvent[] = [];

  /** @param storedVersion the version the store holds (0 = no document yet). */
  private constructor(
    private current: ProductViewsState,
    readonly storedVersion: number,
  ) {}

  /** The counter of a product nobody has viewed yet (version 0, nothing stored). */
  static empty(productId: string): ProductViews {
    return new ProductViews({ productId, totalViews: 0, version: 0, updatedAt: new Date(0) }, 0);
  }

  static fromState(state: ProductViewsState): ProductViews {
    return new ProductViews({ ...state }, state.version);
  }

  static fromHistory(productId: string, events: readonly ProductViewsRecordedEvent[]): ProductViews {
    let state = ProductViews.empty(productId).current;
    for (const e of events) state = ProductViews.evolve(state, e);
    return new ProductViews(state, state.version);
  }

  static evolve(state: ProductViewsState, event: ProductViewsRecordedEvent): ProductViewsState {
    return {
      productId: state.productId,
      totalViews: event.payload.totalViews,
      version: event.aggregateVersion,
      updatedAt: event.occurredAt,
    };
  }

  get state(): Readonly<ProductViewsState> {
    return this.current;
  }

  /** Rule: a batch counts at least one view (and at most MAX_VIEW_BATCH). */
  record(count: number, ctx: CommandContext): void {
    if (!Number.isInteger(count) || count < 1 || count > MAX_VIEW_BATCH)
      throw invalidQuantity(this.current.productId, count);
    const event = new ProductViewsRecordedEvent(
      viewsAggregateId(this.current.productId),
      this.current.version + 1,
      { productId: this.current.productId, count, totalViews: this.current.totalViews + count },
      ctx.correlationId,
      { occurredAt: ctx.now },
    );
    this.current = ProductViews.evolve(this.current, event);
    this.pending.push(event);
  }

  pullEvents(): ProductViewsRecordedEvent[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }
}
