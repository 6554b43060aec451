import { Module, type OnModuleInit } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import type { DomainEventClass } from '../../shared/events/domain-event.js';
import { EventRegistry } from '../../shared/events/event-registry.js';
import { READ_CONNECTION, WRITE_CONNECTION } from '../../shared/persistence/connections.js';
import { CatalogModule } from '../catalog/catalog.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { CancelOrderHandler } from './commands/cancel-order/cancel-order.handler.js';
import { CancelOrderHttpController } from './commands/cancel-order/cancel-order.http.controller.js';
import { PlaceOrderHandler } from './commands/place-order/place-order.handler.js';
import { PlaceOrderHttpController } from './commands/place-order/place-order.http.controller.js';
import { UpdateOrderStatusHandler } from './commands/update-order-status/update-order-status.handler.js';
import { OrderTransition } from './commands/order-transition.js';
import { UpdateOrderStatusHttpController } from './commands/update-order-status/update-order-status.http.controller.js';
import { ORDER_EVENT_CLASSES } from './orders.public.js';
import { OrderRepository } from './persistence/order.repository.js';
import { ORDERS, OrderSchema } from './persistence/order.schema.js';
import { OrdersReadProjection } from './projections/orders-read/orders-read.projection.js';
import { ORDERS_READ, OrdersReadSchema } from './projections/orders-read/orders-read.schema.js';
import { ORDERS_SUMMARY, OrdersSummarySchema } from './projections/orders-summary/orders-summary.schema.js';
import { OrdersSummaryProjection } from './projections/orders-summary/orders-summary.projection.js';
import { GetOrderHandler } from './queries/get-order/get-order.handler.js';
import { GetOrderHttpController } from './queries/get-order/get-order.http.controller.js';
import { GetOrdersSummaryHandler } from './queries/get-orders-summary/get-orders-summary.handler.js';
import { GetOrdersSummaryHttpController } from './queries/get-orders-summary/get-orders-summary.http.controller.js';
import { ListCustomerOrdersHandler } from './queries/list-customer-orders/list-customer-orders.handler.js';
import { ListCustomerOrdersHttpController } from './queries/list-customer-orders/list-customer-orders.http.controller.js';
import { OrderQueryCache } from './queries/order-query-cache.js';
import { OrdersReadRepository } from './queries/orders-read.repository.js';
import { ReadYourWrites } from './queries/read-your-writes.js';
import { SearchOrdersHandler } from './queries/search-orders/search-orders.handler.js';
import { SearchOrdersHttpController } from './queries/search-orders/search-orders.http.controller.js';
import { ProjectionRegistry } from '../../shared/projections/projection-registry.js';

/**
 * The orders bounded context (see ARCHITECTURE.md): the Order aggregate, its commands and events.
 * Uses the customers context (CustomerDirectory) and the catalog (InventoryService) inside its
 * own transactions.
 */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: ORDERS, schema: OrderSchema }], WRITE_CONNECTION),
    // Read models: their shape and indexes (the projection runtime builds the indexes).
    MongooseModule.forFeature(
      [
        { name: ORDERS_READ, schema: OrdersReadSchema },
        { name: ORDERS_SUMMARY, schema: OrdersSummarySchema },
      ],
      READ_CONNECTION,
    ),
    CustomersModule,
    CatalogModule,
  ],
  controllers: [
    PlaceOrderHttpController,
    UpdateOrderStatusHttpController,
    CancelOrderHttpController,
    // Read side. /api/orders/search before /api/orders/:id.
    SearchOrdersHttpController,
    GetOrderHttpController,
    ListCustomerOrdersHttpController,
    GetOrdersSummaryHttpController,
  ],
  providers: [
    OrderRepository,
    PlaceOrderHandler,
    OrderTransition,
    UpdateOrderStatusHandler,
    CancelOrderHandler,
    OrdersReadRepository,
    OrderQueryCache,
    ReadYourWrites,
    GetOrderHandler,
    ListCustomerOrdersHandler,
    SearchOrdersHandler,
    GetOrdersSummaryHandler,
  ],
})
export class OrdersModule implements OnModuleInit {
  constructor(
    private readonly registry: EventRegistry,
    private readonly projections: ProjectionRegistry,
  ) {}

  onModuleInit(): void {
    // DomainEventClass<object> takes any payload; each class takes its own (parameters are
    // contravariant), so the list is widened here: the registry only revives stored payloads of
    // the class's own type name.
    this.registry.register(...(ORDER_EVENT_CLASSES as readonly unknown[] as DomainEventClass<object>[]));
    this.projections.register(new OrdersReadProjection(), new OrdersSummaryProjection());
  }
}
