import { Command } from '@nestjs/cqrs';
import type { CustomerCommandResult } from '../../persistence/customer.repository.js';

export class ReactivateCustomerCommand extends Command<CustomerCommandResult> {
  constructor(
    readonly customerId: string,
    readonly expectedVersion: number | undefined,
    readonly correlationId: string,
  ) {
    super();
  }
}
