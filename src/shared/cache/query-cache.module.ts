import { randomBytes } from 'node:crypto';
import {
  Global,
  Inject,
  Logger,
  Module,
  type OnModuleInit,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { AppConfig } from '../../config/env.js';
import { APP_CONFIG } from '../config.module.js';
import { ProjectionRegistry } from '../projections/projection-registry.js';
import { CachedRoutes } from './cached-routes.js';
import { QueryCache } from './query-cache.js';

/**
 * Provides the one QueryCache of the process (injectable as `QueryCache` everywhere) and plugs its
 * `invalidate` into the projection runtime (`ProjectionRegistry.setInvalidator`), so every
 * `ctx.invalidate(keys)` of a live projection write reaches the cache.
 *
 * It also holds the CachedRoutes registry (GET routes the HTTP fast lane may answer from the cache).
 *
 * Physical keys are prefixed with `cqrs:<read db name>:` so instances on the same read model share
 * entries; under NODE_ENV=test a random suffix is added, because test runs reuse the database name
 * with fresh data and must not see each other's entries in a shared Redis.
 */
@Global()
@Module({
  providers: [
    {
      provide: QueryCache,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): QueryCache => {
        const logger = new Logger('QueryCache');
        const suffix = config.nodeEnv === 'test' ? `:${randomBytes(4).toString('hex')}` : '';
        const cache = new QueryCache({
          redisUrl: config.redisUrl,
          namespace: `cqrs:${config.readDbName}${suffix}`,
          onError: (e) => logger.warn(`cache error: ${e instanceof Error ? e.message : String(e)}`),
        });
        logger.log(`query cache: ${cache.store}`);
        return cache;
      },
    },
    CachedRoutes,
  ],
  exports: [QueryCache, CachedRoutes],
})
export class QueryCacheModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(QueryCache) private readonly cache: QueryCache,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    // The projection runtime is a separate module; look its registry up instead of importing the
    // module so the cache works (and is tested) without it.
    let registry: ProjectionRegistry | undefined;
    try {
      registry = this.moduleRef.get(ProjectionRegistry, { strict: false });
    } catch {
      registry = undefined;
    }
    registry?.setInvalidator((keys) => this.cache.invalidate(keys));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.cache.close();
  }
}
