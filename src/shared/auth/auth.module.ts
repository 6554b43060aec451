import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard.js';
import { JwtSecret } from './jwt-secret.js';

@Global()
@Module({})
export class AuthModule {
  static forRoot(secret: string): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        { provide: JwtSecret, useValue: new JwtSecret(secret) },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [JwtSecret],
    };
  }
}
