import { Module, type DynamicModule } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import type { AppConfig } from './config/env.js';
import { HealthModule } from './shared/health/health.module.js';

/** The application root. The write-model connection is the default Mongoose connection. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig & { mongodbUri: string }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MongooseModule.forRoot(config.mongodbUri, {
          dbName: 'app',
          writeConcern: { w: 'majority', journal: true },
          readConcern: { level: 'majority' },
        }),
        HealthModule,
      ],
    };
  }
}
