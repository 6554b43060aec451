import { Command } from '@nestjs/cqrs';
import type { VipStatus } from '../../customers.public.js';
import type { CustomerCommandResult } from '../../persistence/customer.repository.js';

export class SetVipStatusCommand extends Command<CustomerCommandResult> {
  constructor(
    readonly customerId: string,
    readonly vipStatus: VipStatus,
    readonly expectedVersion: number | undefined,
    readonly correlationId: string,
  ) {
    super();
  }
}
