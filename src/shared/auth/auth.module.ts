import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { AppConfig } from '../../config/env.js';
import { AuthGuard } from './auth.guard.js';
import { createTokenVerifier, TokenVerifier } from './token-verifier.js';

/** The global bearer-token guard; exports the TokenVerifier (its JWKS cache feeds /health). */
@Global()
@Module({})
export class AuthModule {
  /** `hs256Secret`: the resolved secret in hs256 mode (see jwt-secret.ts), else undefined. */
  static forRoot(config: AppConfig, hs256Secret: string | undefined): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        { provide: TokenVerifier, useValue: createTokenVerifier(config, hs256Secret) },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [TokenVerifier],
    };
  }
}
