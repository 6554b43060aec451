import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { CustomerRepository, type CustomerCommandResult } from '../../persistence/customer.repository.js';
import { UpdateAddressCommand } from './update-address.command.js';

@CommandHandler(UpdateAddressCommand)
export class UpdateAddressHandler implements ICommandHandler<UpdateAddressCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly customers: CustomerRepository,
  ) {}

  execute(cmd: UpdateAddressCommand): Promise<CustomerCommandResult> {
    return this.uow.run(async (session) => {
      const customer = await this.customers.load(cmd.customerId, session);
      customer.expectVersion(cmd.expectedVersion);
      customer.updateAddress(cmd.addressId, cmd.changes, {
        correlationId: cmd.correlationId,
        now: new Date(),
      });
      return this.customers.commit(customer, session, cmd.addressId);
    });
  }
}
