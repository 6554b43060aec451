import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { CustomerRepository, type CustomerCommandResult } from '../../persistence/customer.repository.js';
import { SetVipStatusCommand } from './set-vip-status.command.js';

@CommandHandler(SetVipStatusCommand)
export class SetVipStatusHandler implements ICommandHandler<SetVipStatusCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly customers: CustomerRepository,
  ) {}

  execute(cmd: SetVipStatusCommand): Promise<CustomerCommandResult> {
    return this.uow.run(async (session) => {
      const customer = await this.customers.load(cmd.customerId, session);
      customer.expectVersion(cmd.expectedVersion);
      customer.setVipStatus(cmd.vipStatus, { correlationId: cmd.correlationId, now: new Date() });
      return this.customers.commit(customer, session);
    });
  }
}
