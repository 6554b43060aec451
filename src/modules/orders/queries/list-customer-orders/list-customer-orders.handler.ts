import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Filter, Sort } from 'mongodb';
import type { OrdersReadDoc } from '../../projections/orders-read/orders-read.evolve.js';
import { OrdersReadRepository } from '../orders-read.repository.js';
import { ListCustomerOrdersQuery, type OrderPage } from './list-customer-orders.query.js';

@QueryHandler(ListCustomerOrdersQuery)
export class ListCustomerOrdersHandler implements IQueryHandler<ListCustomerOrdersQuery> {
  constructor(private readonly repo: OrdersReadRepository) {}

  execute({ customerId, filter: f }: ListCustomerOrdersQuery): Promise<OrderPage> {
    const filter: Filter<OrdersReadDoc> = { 'customer.customerId': customerId };
    if (f.status) filter.status = f.status;
    if (f.from || f.to)
      filter.createdAt = { ...(f.from ? { $gte: f.from } : {}), ...(f.to ? { $lte: f.to } : {}) };
    const dir = f.order === 'asc' ? 1 : -1;
    const sort: Sort =
      f.sort === 'total' ? { 'amounts.total': dir, createdAt: dir, _id: 1 } : { createdAt: dir, _id: 1 };
    return this.repo.page(filter, sort, f.limit, f.offset);
  }
}
