import { Command } from '@nestjs/cqrs';
import type { AddressFields } from '../../domain/customer.aggregate.js';
import type { CustomerCommandResult } from '../../persistence/customer.repository.js';

export class AddAddressCommand extends Command<CustomerCommandResult> {
  constructor(
    readonly customerId: string,
    readonly address: AddressFields & {
      isDefault?: boolean;
      /** Omitted over HTTP (the service generates `adr_<uuid>`); the seed passes its own. */
      addressId?: string;
    },
    readonly expectedVersion: number | undefined,
    readonly correlationId: string,
    /** CommandBus only: `at` back-dates the change (the seed's history); HTTP uses the clock. */
    readonly options: { at?: Date } = {},
  ) {
    super();
  }
}
