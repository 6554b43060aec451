import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { CustomerRepository, type CustomerCommandResult } from '../../persistence/customer.repository.js';
import { SuspendCustomerCommand } from './suspend-customer.command.js';

@CommandHandler(SuspendCustomerCommand)
export class SuspendCustomerHandler implements ICommandHandler<SuspendCustomerCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly customers: CustomerRepository,
  ) {}

  execute(cmd: SuspendCustomerCommand): Promise<CustomerCommandResult> {
    return this.uow.run(async (session) => {
      const customer = await this.customers.load(cmd.customerId, session);
      customer.expectVersion(cmd.expectedVersion);
      customer.suspend(cmd.reason, { correlationId: cmd.correlationId, now: new Date() });
      return this.customers.commit(customer, session);
    });
  }
}
