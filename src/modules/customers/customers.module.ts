import { Module } from '@nestjs/common';

/** The customers bounded context (see ARCHITECTURE.md). */
@Module({})
export class CustomersModule {}
