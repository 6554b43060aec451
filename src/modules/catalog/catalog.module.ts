import { Module, type OnModuleInit } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import type { DomainEventClass } from '../../shared/events/domain-event.js';
import { EventRegistry } from '../../shared/events/event-registry.js';
import { WRITE_CONNECTION } from '../../shared/persistence/connections.js';
import { CatalogReadModule } from './catalog-read.module.js';
import { CATALOG_EVENT_CLASSES, InventoryService } from './catalog.public.js';
import { AddReviewHandler } from './commands/add-review/add-review.handler.js';
import { AddReviewHttpController } from './commands/add-review/add-review.http.controller.js';
import { AdjustInventoryHandler } from './commands/adjust-inventory/adjust-inventory.handler.js';
import { AdjustInventoryHttpController } from './commands/adjust-inventory/adjust-inventory.http.controller.js';
import { CreateProductHandler } from './commands/create-product/create-product.handler.js';
import { CreateProductHttpController } from './commands/create-product/create-product.http.controller.js';
import { DiscontinueProductHandler } from './commands/discontinue-product/discontinue-product.handler.js';
import { DiscontinueProductHttpController } from './commands/discontinue-product/discontinue-product.http.controller.js';
import { RecordDeliveredPurchaseOnOrderDeliveredSaga } from './commands/record-delivered-purchase/record-delivered-purchase-on-order-delivered.saga.js';
import { RecordDeliveredPurchaseHandler } from './commands/record-delivered-purchase/record-delivered-purchase.handler.js';
import { ProductViewBuffer } from './commands/record-product-views/product-view.buffer.js';
import { RecordProductViewsHandler } from './commands/record-product-views/record-product-views.handler.js';
import { RecordProductViewsHttpController } from './commands/record-product-views/record-product-views.http.controller.js';
import { UpdateProductHandler } from './commands/update-product/update-product.handler.js';
import { UpdateProductHttpController } from './commands/update-product/update-product.http.controller.js';
import { ProductInventoryService } from './inventory/product-inventory.service.js';
import { DeliveredPurchaseSchema, DELIVERED_PURCHASES } from './persistence/delivered-purchase.schema.js';
import { DeliveredPurchaseRepository } from './persistence/delivered-purchase.repository.js';
import { ProductReviewRepository } from './persistence/product-review.repository.js';
import { ProductReviewSchema, PRODUCT_REVIEWS } from './persistence/product-review.schema.js';
import { ProductViewCountSchema, PRODUCT_VIEW_COUNTS } from './persistence/product-view-count.schema.js';
import { ProductViewsRepository } from './persistence/product-views.repository.js';
import { ProductRepository } from './persistence/product.repository.js';
import { ProductSchema, PRODUCTS } from './persistence/product.schema.js';

/**
 * The catalog bounded context (see ARCHITECTURE.md): products, their inventory, reviews and view
 * counts (write side). Exports `InventoryService` (catalog.public.ts) for the orders context.
 */
@Module({
  imports: [
    MongooseModule.forFeature(
      [
        { name: PRODUCTS, schema: ProductSchema },
        { name: PRODUCT_REVIEWS, schema: ProductReviewSchema },
        { name: PRODUCT_VIEW_COUNTS, schema: ProductViewCountSchema },
        { name: DELIVERED_PURCHASES, schema: DeliveredPurchaseSchema },
      ],
      WRITE_CONNECTION,
    ),
    CatalogReadModule,
  ],
  controllers: [
    CreateProductHttpController,
    UpdateProductHttpController,
    AdjustInventoryHttpController,
    DiscontinueProductHttpController,
    AddReviewHttpController,
    RecordProductViewsHttpController,
  ],
  providers: [
    ProductRepository,
    ProductReviewRepository,
    ProductViewsRepository,
    DeliveredPurchaseRepository,
    CreateProductHandler,
    UpdateProductHandler,
    AdjustInventoryHandler,
    DiscontinueProductHandler,
    AddReviewHandler,
    RecordProductViewsHandler,
    RecordDeliveredPurchaseHandler,
    RecordDeliveredPurchaseOnOrderDeliveredSaga,
    ProductViewBuffer,
    { provide: InventoryService, useClass: ProductInventoryService },
  ],
  exports: [InventoryService],
})
export class CatalogModule implements OnModuleInit {
  constructor(private readonly registry: EventRegistry) {}

  onModuleInit(): void {
    // Payload types make the constructors incompatible with DomainEventClass<object> (parameters
    // are contravariant); the registry only revives payloads these classes wrote, so widen here.
    this.registry.register(...(CATALOG_EVENT_CLASSES as readonly unknown[] as DomainEventClass<object>[]));
  }
}
