import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { CustomerRepository, type CustomerCommandResult } from '../../persistence/customer.repository.js';
import { RemoveAddressCommand } from './remove-address.command.js';

@CommandHandler(RemoveAddressCommand)
export class RemoveAddressHandler implements ICommandHandler<RemoveAddressCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly customers: CustomerRepository,
  ) {}

  execute(cmd: RemoveAddressCommand): Promise<CustomerCommandResult> {
    return this.uow.run(async (session) => {
      const customer = await this.customers.load(cmd.customerId, session);
      customer.expectVersion(cmd.expectedVersion);
      customer.removeAddress(cmd.addressId, { correlationId: cmd.correlationId, now: new Date() });
      return this.customers.commit(customer, session, cmd.addressId);
    });
  }
}
