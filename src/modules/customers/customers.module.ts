import { Module, type OnModuleInit } from '@nestjs/common';
import { InjectModel, MongooseModule } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { DomainEventClass } from '../../shared/events/domain-event.js';
import { EventRegistry } from '../../shared/events/event-registry.js';
import { WRITE_CONNECTION } from '../../shared/persistence/connections.js';
import { AddAddressHandler } from './commands/add-address/add-address.handler.js';
import { AddAddressHttpController } from './commands/add-address/add-address.http.controller.js';
import { CustomerAccessGuard } from './commands/customer-access.guard.js';
import { ReactivateCustomerHandler } from './commands/reactivate-customer/reactivate-customer.handler.js';
import { ReactivateCustomerHttpController } from './commands/reactivate-customer/reactivate-customer.http.controller.js';
import { RegisterCustomerHandler } from './commands/register-customer/register-customer.handler.js';
import { RegisterCustomerHttpController } from './commands/register-customer/register-customer.http.controller.js';
import { RemoveAddressHandler } from './commands/remove-address/remove-address.handler.js';
import { RemoveAddressHttpController } from './commands/remove-address/remove-address.http.controller.js';
import { SetVipStatusHandler } from './commands/set-vip-status/set-vip-status.handler.js';
import { SetVipStatusHttpController } from './commands/set-vip-status/set-vip-status.http.controller.js';
import { SuspendCustomerHandler } from './commands/suspend-customer/suspend-customer.handler.js';
import { SuspendCustomerHttpController } from './commands/suspend-customer/suspend-customer.http.controller.js';
import { UpdateAddressHandler } from './commands/update-address/update-address.handler.js';
import { UpdateAddressHttpController } from './commands/update-address/update-address.http.controller.js';
import { UpdateCustomerProfileHandler } from './commands/update-customer-profile/update-customer-profile.handler.js';
import { UpdateCustomerProfileHttpController } from './commands/update-customer-profile/update-customer-profile.http.controller.js';
import { CustomerDirectory } from './customers.public.js';
import { CUSTOMER_EVENT_CLASSES } from './domain/customer.aggregate.js';
import { AddressSchema, ADDRESSES, type AddressDoc } from './persistence/address.schema.js';
import { MongoCustomerDirectory } from './persistence/customer-directory.repository.js';
import { CustomerRepository } from './persistence/customer.repository.js';
import { CustomerSchema, CUSTOMERS, type CustomerDoc } from './persistence/customer.schema.js';

/**
 * The customers bounded context (see ARCHITECTURE.md): customers and their addresses. Commands
 * arrive over HTTP or on the CommandBus (the seed); the public surface for other contexts is
 * customers.public.ts (`CustomerDirectory`, exported here).
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
  controllers: [
    RegisterCustomerHttpController,
    UpdateCustomerProfileHttpController,
    SetVipStatusHttpController,
    SuspendCustomerHttpController,
    ReactivateCustomerHttpController,
    AddAddressHttpController,
    UpdateAddressHttpController,
    RemoveAddressHttpController,
  ],
  providers: [
    CustomerRepository,
    CustomerAccessGuard,
    { provide: CustomerDirectory, useClass: MongoCustomerDirectory },
    RegisterCustomerHandler,
    UpdateCustomerProfileHandler,
    SetVipStatusHandler,
    SuspendCustomerHandler,
    ReactivateCustomerHandler,
    AddAddressHandler,
    UpdateAddressHandler,
    RemoveAddressHandler,
  ],
  exports: [CustomerDirectory],
})
export class CustomersModule implements OnModuleInit {
  constructor(
    private readonly registry: EventRegistry,
    @InjectModel(CUSTOMERS, WRITE_CONNECTION) private readonly customers: Model<CustomerDoc>,
    @InjectModel(ADDRESSES, WRITE_CONNECTION) private readonly addresses: Model<AddressDoc>,
  ) {}

  /**
   * Registers the events for the resync path, and waits for the collections and their unique
   * indexes: the first registration must not run before `email` is unique.
   */
  async onModuleInit(): Promise<void> {
    this.registry.register(...(CUSTOMER_EVENT_CLASSES as readonly unknown[] as DomainEventClass<object>[]));
    await Promise.all([this.customers.init(), this.addresses.init()]);
  }
}
