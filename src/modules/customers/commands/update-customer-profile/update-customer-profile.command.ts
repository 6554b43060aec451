import { Command } from '@nestjs/cqrs';
import type { ProfileChanges } from '../../domain/customer.aggregate.js';
import type { CustomerCommandResult } from '../../persistence/customer.repository.js';

export class UpdateCustomerProfileCommand extends Command<CustomerCommandResult> {
  constructor(
    readonly customerId: string,
    readonly changes: ProfileChanges,
    readonly expectedVersion: number | undefined,
    readonly correlationId: string,
  ) {
    super();
  }
}
