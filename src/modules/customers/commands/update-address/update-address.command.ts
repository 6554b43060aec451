import { Command } from '@nestjs/cqrs';
import type { AddressChanges } from '../../domain/customer.aggregate.js';
import type { CustomerCommandResult } from '../../persistence/customer.repository.js';

export class UpdateAddressCommand extends Command<CustomerCommandResult> {
  constructor(
    readonly customerId: string,
    readonly addressId: string,
    readonly changes: AddressChanges,
    readonly expectedVersion: number | undefined,
    readonly correlationId: string,
  ) {
    super();
  }
}
