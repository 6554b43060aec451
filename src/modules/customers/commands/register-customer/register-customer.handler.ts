import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { customerAlreadyExists } from '../../customers.errors.js';
import { Customer, newCustomerId } from '../../domain/customer.aggregate.js';
import { CustomerRepository, type CustomerCommandResult } from '../../persistence/customer.repository.js';
import { RegisterCustomerCommand } from './register-customer.command.js';

@CommandHandler(RegisterCustomerCommand)
export class RegisterCustomerHandler implements ICommandHandler<RegisterCustomerCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly customers: CustomerRepository,
  ) {}

  execute(cmd: RegisterCustomerCommand): Promise<CustomerCommandResult> {
    const customerId = cmd.input.customerId ?? newCustomerId();
    return this.uow.run(async (session) => {
      if (cmd.input.customerId !== undefined && (await this.customers.exists(customerId, session)))
        throw customerAlreadyExists(customerId);
      const customer = Customer.register(
        { ...cmd.input, customerId },
        { correlationId: cmd.correlationId, now: cmd.options.at ?? new Date() },
      );
      await this.customers.assertEmailFree(customer.state.email, customerId, session);
      return this.customers.commit(customer, session);
    });
  }
}
