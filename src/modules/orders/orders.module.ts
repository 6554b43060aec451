import { Module } from '@nestjs/common';

/** The orders bounded context (see ARCHITECTURE.md). */
@Module({})
export class OrdersModule {}
