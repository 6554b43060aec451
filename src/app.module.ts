import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { AppConfig } from './config/env.js';
import { CatalogModule } from './modules/catalog/catalog.module.js';
import { CustomersModule } from './modules/customers/customers.module.js';
import { OrdersModule } from './modules/orders/orders.module.js';
import { AuthModule } from './shared/auth/auth.module.js';
import { AppConfigModule } from './shared/config.module.js';
import { HttpExceptionFilter } from './shared/errors/http-exception.filter.js';
import { HealthModule } from './shared/health/health.module.js';
import { SharedIdempotencyModule } from './shared/idempotency/idempotency.module.js';
import { MetricsModule } from './shared/metrics/metrics.module.js';
import { PersistenceModule, type DatabaseUris } from './shared/persistence/persistence.module.js';
import { ProjectionsModule } from './shared/projections/projections.module.js';
import { RateLimitModule } from './shared/rate-limit/rate-limit.module.js';

/** Feature modules (bounded contexts); each registers its commands, events and controllers. */
export const FEATURE_MODULES: Type[] = [CustomersModule, CatalogModule, OrdersModule];

/** The application root: configuration, auth, rate limits, the two database connections, features, health. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, db: DatabaseUris, jwtSecret: string | undefined): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        AuthModule.forRoot(config, jwtSecret),
        // Its global guard must come after the auth guard (the limit is per principal).
        RateLimitModule.forRoot(config),
        PersistenceModule.forRoot(db),
        HealthModule,
        MetricsModule,
        SharedIdempotencyModule,
        ProjectionsModule,
        ...FEATURE_MODULES,
      ],
      providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
    };
  }
}
