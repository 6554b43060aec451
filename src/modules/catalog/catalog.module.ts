import { Module } from '@nestjs/common';

/** The catalog bounded context (see ARCHITECTURE.md). */
@Module({})
export class CatalogModule {}
