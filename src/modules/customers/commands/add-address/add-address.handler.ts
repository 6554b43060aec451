import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { newAddressId } from '../../domain/customer.aggregate.js';
import { CustomerRepository, type CustomerCommandResult } from '../../persistence/customer.repository.js';
import { AddAddressCommand } from './add-address.command.js';

@CommandHandler(AddAddressCommand)
export class AddAddressHandler implements ICommandHandler<AddAddressCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly customers: CustomerRepository,
  ) {}

  execute(cmd: AddAddressCommand): Promise<CustomerCommandResult> {
    const { addressId = newAddressId(), ...fields } = cmd.address;
    return this.uow.run(async (session) => {
      const customer = await this.customers.load(cmd.customerId, session);
      customer.expectVersion(cmd.expectedVersion);
      customer.addAddress(addressId, fields, {
        correlationId: cmd.correlationId,
        now: cmd.options.at ?? new Date(),
      });
      return this.customers.commit(customer, session, addressId);
    });
  }
}
