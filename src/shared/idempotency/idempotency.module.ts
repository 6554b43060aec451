import { Module, type OnModuleInit } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { InjectModel, MongooseModule } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { WRITE_CONNECTION } from '../persistence/connections.js';
import { CommandAdmission } from '../overload/command-admission.js';
import { IdempotencyKeyRepository } from './idempotency-key.repository.js';
import { IdempotencyKeySchema, IDEMPOTENCY_KEYS, type IdempotencyKeyDoc } from './idempotency-key.schema.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { IDEMPOTENCY_COMMITS } from './idempotent-execution.js';

/**
 * The Idempotency-Key mechanism (idempotency.interceptor.ts), applied to every route, with the
 * admission of commands (load shedding) that runs before it.
 */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: IDEMPOTENCY_KEYS, schema: IdempotencyKeySchema }], WRITE_CONNECTION),
  ],
  providers: [
    IdempotencyKeyRepository,
    CommandAdmission,
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
  ],
  exports: [CommandAdmission],
})
export class SharedIdempotencyModule implements OnModuleInit {
  constructor(
    @InjectModel(IDEMPOTENCY_KEYS, WRITE_CONNECTION) private readonly keys: Model<IdempotencyKeyDoc>,
  ) {}

  /** The collections and their TTL indexes exist before the first request (and its transaction). */
  async onModuleInit(): Promise<void> {
    await this.keys.init();
    await this.keys.db
      .collection(IDEMPOTENCY_COMMITS)
      .createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
  }
}
