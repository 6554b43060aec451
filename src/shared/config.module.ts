import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../config/env.js';

/** The validated configuration, injectable as APP_CONFIG everywhere. */
export const APP_CONFIG = Symbol('APP_CONFIG');

@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
