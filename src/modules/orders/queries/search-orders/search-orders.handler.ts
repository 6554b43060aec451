import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Decimal128, type Filter } from 'mongodb';
import { DEFAULT_TTL_SECONDS } from '../../../../shared/cache/cache-ttl.js';
import type { OrdersReadDoc } from '../../projections/orders-read/orders-read.evolve.js';
import { orderPageAnswer, toOrderResponse, type OrderPageAnswer } from '../order.response.dto.js';
import { OrderQueryCache } from '../order-query-cache.js';
import { OrdersReadRepository } from '../orders-read.repository.js';
import { SearchOrdersQuery } from './search-orders.query.js';

@QueryHandler(SearchOrdersQuery)
export class SearchOrdersHandler implements IQueryHandler<SearchOrdersQuery> {
  constructor(
    private readonly repo: OrdersReadRepository,
    private readonly cache: OrderQueryCache,
  ) {}

  /** Cache first: family `orders-search` (dropped on any order change), one variant per query. */
  execute({ filter: f, bypassCache }: SearchOrdersQuery): Promise<OrderPageAnswer> {
    return this.cache.load('orders-search', DEFAULT_TTL_SECONDS, () => this.load(f), {
      variant: JSON.stringify(f),
      bypass: bypassCache,
    });
  }

  private async load(f: SearchOrdersQuery['filter']): Promise<OrderPageAnswer> {
    const filter: Filter<OrdersReadDoc> = {};
    if (f.status) filter.status = f.status;
    if (f.minTotal !== undefined || f.maxTotal !== undefined)
      filter['amounts.total'] = {
        ...(f.minTotal !== undefined ? { $gte: Decimal128.fromString(f.minTotal) } : {}),
        ...(f.maxTotal !== undefined ? { $lte: Decimal128.fromString(f.maxTotal) } : {}),
      };
    const page = await this.repo.search(filter, f.q, f.limit, f.offset);
    return orderPageAnswer(page.items.map(toOrderResponse), page.total);
  }
}
