import { Module, type OnModuleInit } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import type { DomainEventClass } from '../../shared/events/domain-event.js';
import { EventRegistry } from '../../shared/events/event-registry.js';
import { WRITE_CONNECTION } from '../../shared/persistence/connections.js';
import { CatalogModule } from '../catalog/catalog.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { CancelOrderHandler } from './commands/cancel-order/cancel-order.handler.js';
import { CancelOrderHttpController } from './commands/cancel-order/cancel-order.http.controller.js';
import { PlaceOrderHandler } from './commands/place-order/place-order.handler.js';
import { PlaceOrderHttpController } from './commands/place-order/place-order.http.controller.js';
import { UpdateOrderStatusHandler } from './commands/update-order-status/update-order-status.handler.js';
import { UpdateOrderStatusHttpController } from './commands/update-order-status/update-order-status.http.controller.js';
import { ORDER_EVENT_CLASSES } from './orders.public.js';
import { OrderRepository } from './persistence/order.repository.js';
import { ORDERS, OrderSchema } from './persistence/order.schema.js';

/**
 * The orders bounded context (see ARCHITECTURE.md): the Order aggregate, its commands and events.
 * Uses the customers context (CustomerDirectory) and the catalog (InventoryService) inside its
 * own transactions.
 */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: ORDERS, schema: OrderSchema }], WRITE_CONNECTION),
    CustomersModule,
    CatalogModule,
  ],
  controllers: [PlaceOrderHttpController, UpdateOrderStatusHttpController, CancelOrderHttpController],
  providers: [OrderRepository, PlaceOrderHandler, UpdateOrderStatusHandler, CancelOrderHandler],
})
export class OrdersModule implements OnModuleInit {
  constructor(private readonly registry: EventRegistry) {}

  onModuleInit(): void {
    // DomainEventClass<object> takes any payload; each class takes its own (parameters are
    // contravariant), so the list is widened here: the registry only revives stored payloads of
    // the class's own type name.
    this.registry.register(...(ORDER_EVENT_CLASSES as readonly unknown[] as DomainEventClass<object>[]));
  }
}
