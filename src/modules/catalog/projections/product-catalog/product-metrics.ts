/**
 * Metric formulas of `product_catalog` (README.md states them for users). All are pure functions
 * of facts recorded in events, never of the wall clock at projection or query time, so a replay of
 * the event log reproduces them exactly.
 */
import type { ProductActivity, ProductMetrics } from './product-catalog.schema.js';

/** Weight of one delivered unit and of one page view in popularity and trending. */
export const PURCHASE_WEIGHT = 10;
export const VIEW_WEIGHT = 1;
/** Trending half-life: activity 7 days older counts half as much. */
export const TRENDING_HALF_LIFE_MS = 7 * 24 * 3600 * 1000;
/** Fixed origin of the trending time axis (any fixed instant gives the same ranking). */
export const TRENDING_EPOCH_MS = Date.UTC(2020, 0, 1);

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** averageRating = ratingSum / reviewCount, rounded half-up to 2 decimals; 0 without reviews. */
export function averageRating(ratingSum: number, reviewCount: number): number {
  return reviewCount > 0 ? round(ratingSum / reviewCount, 2) : 0;
}

/**
 * popularityScore (all time) = 10 × purchaseCount + viewCount + ratingSum: a delivered unit is
 * worth ten views, and each review adds its stars (a 5-star review counts more than a 1-star one).
 * An integer, exact.
 */
export function popularityScore(
  m: Pick<ProductMetrics, 'purchaseCount' | 'viewCount' | 'ratingSum'>,
): number {
  return PURCHASE_WEIGHT * m.purchaseCount + VIEW_WEIGHT * m.viewCount + m.ratingSum;
}

/**
 * trendingScore = log2( Σ w_i · 2^((t_i − EPOCH) / 7 days) ) over the product's activity, where
 * w_i = 10 per delivered unit (at the delivery time) and 1 per view (at the batch time); 0 without
 * activity. Comparing two products by it is comparing Σ w_i · 2^(−age_i / 7 days) at any common
 * instant: exponential decay with a 7-day half-life, computed without a "now". +1 means twice as
 * much recent activity; after a week without activity a product has lost exactly 1 against one
 * with constant activity. Computed with log-sum-exp (no overflow), over activities sorted by id
 * (same float result whatever order they were recorded in), rounded to 6 decimals.
 */
export function trendingScore(activities: readonly ProductActivity[]): number {
  const terms = [...activities]
    .filter((a) => a.units > 0)
    .sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0))
    .map(
      (a) =>
        Math.log2(a.units * (a.kind === 'purchase' ? PURCHASE_WEIGHT : VIEW_WEIGHT)) +
        (a.at.getTime() - TRENDING_EPOCH_MS) / TRENDING_HALF_LIFE_MS,
    );
  if (terms.length === 0) return 0;
  const max = Math.max(...terms);
  const sum = terms.reduce((acc, x) => acc + 2 ** (x - max), 0);
  return round(max + Math.log2(sum), 6);
}

/** purchaseCount = Σ units over the product's `purchase` activities (delivered orders). */
export function purchaseCount(activities: readonly ProductActivity[]): number {
  return activities.filter((a) => a.kind === 'purchase').reduce((acc, a) => acc + a.units, 0);
}
