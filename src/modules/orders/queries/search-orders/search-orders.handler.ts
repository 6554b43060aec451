import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Decimal128, type Filter } from 'mongodb';
import type { OrdersReadDoc } from '../../projections/orders-read/orders-read.evolve.js';
import type { OrderPage } from '../list-customer-orders/list-customer-orders.query.js';
import { OrdersReadRepository } from '../orders-read.repository.js';
import { SearchOrdersQuery } from './search-orders.query.js';

@QueryHandler(SearchOrdersQuery)
export class SearchOrdersHandler implements IQueryHandler<SearchOrdersQuery> {
  constructor(private readonly repo: OrdersReadRepository) {}

  execute({ filter: f }: SearchOrdersQuery): Promise<OrderPage> {
    const filter: Filter<OrdersReadDoc> = {};
    if (f.status) filter.status = f.status;
    if (f.minTotal !== undefined || f.maxTotal !== undefined)
      filter['amounts.total'] = {
        ...(f.minTotal !== undefined ? { $gte: Decimal128.fromString(f.minTotal) } : {}),
        ...(f.maxTotal !== undefined ? { $lte: Decimal128.fromString(f.maxTotal) } : {}),
      };
    return this.repo.search(filter, f.q, f.limit, f.offset);
  }
}
