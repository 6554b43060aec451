import { Module, type OnModuleInit } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { QueryCacheModule } from '../../shared/cache/query-cache.module.js';
import { READ_CONNECTION } from '../../shared/persistence/connections.js';
import { ProjectionRegistry } from '../../shared/projections/projection-registry.js';
import { ProductCatalogProjection } from './projections/product-catalog/product-catalog.projection.js';
import {
  PRODUCT_CATALOG,
  ProductCatalogSchema,
} from './projections/product-catalog/product-catalog.schema.js';
import { ProductReadYourWrites } from './queries/product-read-your-writes.js';
import { GetProductHandler } from './queries/get-product/get-product.handler.js';
import { GetProductHttpController } from './queries/get-product/get-product.http.controller.js';
import { SearchProductsHandler } from './queries/search-products/search-products.handler.js';
import { SearchProductsHttpController } from './queries/search-products/search-products.http.controller.js';
import { TrendingProductsHandler } from './queries/trending-products/trending-products.handler.js';
import { TrendingProductsHttpController } from './queries/trending-products/trending-products.http.controller.js';

/**
 * The catalog's read side: the `product_catalog` projection (registered with the projection
 * runtime) and the product queries (cache first, then `product_catalog`; never the write model).
 * Imported by CatalogModule.
 */
@Module({
  imports: [
    QueryCacheModule,
    // The read model's shape and indexes (the projection runtime builds the indexes).
    MongooseModule.forFeature([{ name: PRODUCT_CATALOG, schema: ProductCatalogSchema }], READ_CONNECTION),
  ],
  // Order matters: the literal paths must be registered before GET /api/products/:id.
  controllers: [SearchProductsHttpController, TrendingProductsHttpController, GetProductHttpController],
  providers: [GetProductHandler, SearchProductsHandler, TrendingProductsHandler, ProductReadYourWrites],
})
export class CatalogReadModule implements OnModuleInit {
  constructor(private readonly projections: ProjectionRegistry) {}

  onModuleInit(): void {
    this.projections.register(new ProductCatalogProjection());
  }
}
