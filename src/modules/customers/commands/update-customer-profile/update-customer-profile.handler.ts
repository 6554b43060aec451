import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { normalizeEmail } from '../../domain/customer.aggregate.js';
import { CustomerRepository, type CustomerCommandResult } from '../../persistence/customer.repository.js';
import { UpdateCustomerProfileCommand } from './update-customer-profile.command.js';

@CommandHandler(UpdateCustomerProfileCommand)
export class UpdateCustomerProfileHandler implements ICommandHandler<UpdateCustomerProfileCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly customers: CustomerRepository,
  ) {}

  execute(cmd: UpdateCustomerProfileCommand): Promise<CustomerCommandResult> {
    return this.uow.run(async (session) => {
      const customer = await this.customers.load(cmd.customerId, session);
      customer.expectVersion(cmd.expectedVersion);
      customer.updateProfile(cmd.changes, { correlationId: cmd.correlationId, now: new Date() });
      if (cmd.changes.email !== undefined)
        await this.customers.assertEmailFree(normalizeEmail(cmd.changes.email), customer.id, session);
      return this.customers.commit(customer, session);
    });
  }
}
