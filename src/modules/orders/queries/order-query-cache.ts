/**
 * The query-side cache for the order queries (cache first, ARCHITECTURE.md). Values are the JSON
 * response DTOs (money already decimal strings), so they survive Redis serialisation.
 *
 * Keys (the `orders_read` / `orders_summary` projections invalidate exactly these on every change):
 * - `orders:<orderId>`: one order's answer (JSON text, owner and status: GetOrderHandler);
 * - `customer-orders:<customerId>`: a customer's order lists (one variant per filter/page);
 * - `orders-search`: admin search results (one variant per query);
 * - `orders-summary:<day>`: the day summary.
 * TTLs (ttlForOrderStatus): an order by its status (pending 60 s, delivered 1 h, else 5 min); a
 * list filtered by one status by that status, other lists and the summary 5 min.
 *
 * A request that carried a consistency token bypasses the cache (it has just waited for the read
 * model, and the projection's invalidation may still be on its way). Without the QueryCacheModule
 * in the application (e.g. a test module without it) every call loads from the read model.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { QueryCache } from '../../../shared/cache/query-cache.js';

@Injectable()
export class OrderQueryCache {
  constructor(@Optional() @Inject(QueryCache) private readonly cache?: QueryCache) {}

  load<T>(
    key: string,
    ttlSeconds: number | ((value: T) => number),
    loader: () => Promise<T>,
    options: { variant?: string; bypass?: boolean } = {},
  ): Promise<T> {
    if (!this.cache || options.bypass) return loader();
    return this.cache.getOrLoad(key, ttlSeconds, loader, options.variant);
  }

  /** The cached value only (QueryCache.peek); undefined without a cache. */
  peek<T>(key: string): Promise<T | undefined> {
    return this.cache ? this.cache.peek<T>(key) : Promise.resolve(undefined);
  }
}
