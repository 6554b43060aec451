import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { CustomerRepository, type CustomerCommandResult } from '../../persistence/customer.repository.js';
import { ReactivateCustomerCommand } from './reactivate-customer.command.js';

@CommandHandler(ReactivateCustomerCommand)
export class ReactivateCustomerHandler implements ICommandHandler<ReactivateCustomerCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly customers: CustomerRepository,
  ) {}

  execute(cmd: ReactivateCustomerCommand): Promise<CustomerCommandResult> {
    return this.uow.run(async (session) => {
      const customer = await this.customers.load(cmd.customerId, session);
      customer.expectVersion(cmd.expectedVersion);
      customer.reactivate({ correlationId: cmd.correlationId, now: new Date() });
      return this.customers.commit(customer, session);
    });
  }
}
