import { Command } from '@nestjs/cqrs';
import type { VipStatus } from '../../customers.public.js';
import type { CustomerCommandResult } from '../../persistence/customer.repository.js';

export class RegisterCustomerCommand extends Command<CustomerCommandResult> {
  constructor(
    readonly input: {
      name: string;
      email: string;
      phone?: string | null;
      vipStatus?: VipStatus;
      /** Omitted over HTTP (the service generates `cus_<uuid>`); the seed passes its own. */
      customerId?: string;
    },
    readonly correlationId: string,
    /** CommandBus only: `at` back-dates the change (the seed's history); HTTP uses the clock. */
    readonly options: { at?: Date } = {},
  ) {
    super();
  }
}
