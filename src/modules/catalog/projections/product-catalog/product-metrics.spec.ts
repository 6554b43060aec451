import type { ProductActivity } from './product-catalog.schema.js';
import {
  averageRating,
  popularityScore,
  purchaseCount,
  TRENDING_EPOCH_MS,
  TRENDING_HALF_LIFE_MS,
  trendingScore,
} from './product-metrics.js';

const act = (id: string, kind: ProductActivity['kind'], units: number, at: number): ProductActivity => ({
  _id: id,
  productId: 'p',
  kind,
  units,
  at: new Date(at),
});

describe('product metric formulas', () => {
  it('averageRating is the exact mean rounded to 2 decimals, 0 without reviews', () => {
    expect(averageRating(0, 0)).toBe(0);
    expect(averageRating(14, 3)).toBe(4.67);
    expect(averageRating(9, 2)).toBe(4.5);
  });

  it('popularityScore = 10 × purchases + views + rating stars', () => {
    expect(popularityScore({ purchaseCount: 3, viewCount: 41, ratingSum: 9 })).toBe(80);
  });

  it('purchaseCount sums delivered units only', () => {
    expect(
      purchaseCount([act('a', 'purchase', 2, 0), act('b', 'view', 50, 0), act('c', 'purchase', 1, 0)]),
    ).toBe(3);
  });

  it('trendingScore is 0 without activity and log2 of the decayed weighted sum otherwise', () => {
    expect(trendingScore([])).toBe(0);
    // 1 view at the epoch: log2(1 · 2^0) = 0 ... plus one half-life later: log2(2^0 + 2^1) = log2(3)
    const score = trendingScore([
      act('a', 'view', 1, TRENDING_EPOCH_MS),
      act('b', 'view', 1, TRENDING_EPOCH_MS + TRENDING_HALF_LIFE_MS),
    ]);
    expect(score).toBeCloseTo(Math.log2(3), 6);
  });

  it('trendingScore does not depend on the order of the activities', () => {
    const acts = Array.from({ length: 30 }, (_, i) =>
      act(`k${i}`, i % 3 ? 'view' : 'purchase', (i % 7) + 1, TRENDING_EPOCH_MS + i * 3_600_000 * 13),
    );
    expect(trendingScore([...acts].reverse())).toBe(trendingScore(acts));
  });
});
