import { Command } from '@nestjs/cqrs';
import type { CustomerCommandResult } from '../../persistence/customer.repository.js';

export class SuspendCustomerCommand extends Command<CustomerCommandResult> {
  constructor(
    readonly customerId: string,
    readonly reason: string | null,
    readonly expectedVersion: number | undefined,
    readonly correlationId: string,
  ) {
    super();
  }
}
