import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Filter, Sort } from 'mongodb';
import { ttlForOrderStatus } from '../../../../shared/cache/cache-ttl.js';
import type { OrdersReadDoc } from '../../projections/orders-read/orders-read.evolve.js';
import { orderPageAnswer, toOrderResponse, type OrderPageAnswer } from '../order.response.dto.js';
import { OrderQueryCache } from '../order-query-cache.js';
import { OrdersReadRepository } from '../orders-read.repository.js';
import { ListCustomerOrdersQuery } from './list-customer-orders.query.js';

@QueryHandler(ListCustomerOrdersQuery)
export class ListCustomerOrdersHandler implements IQueryHandler<ListCustomerOrdersQuery> {
  constructor(
    private readonly repo: OrdersReadRepository,
    private readonly cache: OrderQueryCache,
  ) {}

  /** Cache first: family `customer-orders:<customerId>`, one variant per filter and page (cached as text). */
  execute({ customerId, filter: f, bypassCache }: ListCustomerOrdersQuery): Promise<OrderPageAnswer> {
    return this.cache.load(
      `customer-orders:${customerId}`,
      ttlForOrderStatus(f.status),
      () => this.load(customerId, f),
      {
        variant: JSON.stringify(f),
        bypass: bypassCache,
      },
    );
  }

  private async load(customerId: string, f: ListCustomerOrdersQuery['filter']): Promise<OrderPageAnswer> {
    const filter: Filter<OrdersReadDoc> = { 'customer.customerId': customerId };
    if (f.status) filter.status = f.status;
    if (f.from || f.to)
      filter.createdAt = { ...(f.from ? { $gte: f.from } : {}), ...(f.to ? { $lte: f.to } : {}) };
    const dir = f.order === 'asc' ? 1 : -1;
    const sort: Sort =
      f.sort === 'total' ? { 'amounts.total': dir, createdAt: dir, _id: 1 } : { createdAt: dir, _id: 1 };
    const page = await this.repo.page(filter, sort, f.limit, f.offset);
    return orderPageAnswer(page.items.map(toOrderResponse), page.total);
  }
}
