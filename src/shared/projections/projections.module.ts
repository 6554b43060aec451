import { Global, Module } from '@nestjs/common';
import { ProjectionRegistry } from './projection-registry.js';
import { ProjectionRuntime } from './projection-runtime.js';
import { ProjectionsAdminController } from './projections-admin.controller.js';
import { ProjectionsService } from './projections.service.js';

/**
 * The projection runtime (global): read-model modules inject ProjectionRegistry and register their
 * projections in onModuleInit; the runtime starts feeding them at application bootstrap.
 */
@Global()
@Module({
  controllers: [ProjectionsAdminController],
  providers: [ProjectionRegistry, ProjectionRuntime, ProjectionsService],
  exports: [ProjectionRegistry, ProjectionsService, ProjectionRuntime],
})
export class ProjectionsModule {}
