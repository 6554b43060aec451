/**
 * Query-cache keys of the catalog read side, shared by the projection (which invalidates them) and
 * the query handlers (which fill them). Lists are families: every search / trending variant is
 * cached under its family key, and invalidating the family drops all of them (QueryCache).
 */
export const productCacheKey = (productId: string): string => `product:${productId}`;
export const PRODUCT_SEARCH_FAMILY = 'products:search';
export const PRODUCT_TRENDING_FAMILY = 'products:trending';

/** What a change to one product document makes stale: its item and every list it may be in. */
export const keysAffectedByProduct = (productId: string): string[] => [
  productCacheKey(productId),
  PRODUCT_SEARCH_FAMILY,
  PRODUCT_TRENDING_FAMILY,
];
