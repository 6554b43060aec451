import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { WRITE_CONNECTION } from '../../shared/persistence/connections.js';
import { CustomerDirectory } from './customers.public.js';
import { AddressSchema, ADDRESSES } from './persistence/address.schema.js';
import { CustomerSchema, CUSTOMERS } from './persistence/customer.schema.js';
import { MongoCustomerDirectory } from './persistence/customer-directory.repository.js';

/**
 * The customers bounded context (see ARCHITECTURE.md): customers and their addresses. Exports
 * `CustomerDirectory` (customers.public.ts) for other contexts.
 */
@Module({
  imports: [
    MongooseModule.forFeature(
      [
        { name: CUSTOMERS, schema: CustomerSchema },
        { name: ADDRESSES, schema: AddressSchema },
      ],
      WRITE_CONNECTION,
    ),
  ],
  providers: [{ provide: CustomerDirectory, useClass: MongoCustomerDirectory }],
  exports: [CustomerDirectory],
})
export class CustomersModule {}
