import { Command } from '@nestjs/cqrs';
import type { Principal } from '../../../../shared/auth/jwt.js';
import type { OrderCommandResult } from '../command-accepted.response.dto.js';

/**
 * Cancel a pending or confirmed order and release its reserved stock, in one transaction. A
 * customer may cancel only their own orders (anyone else's answers ORDERS.NOT_FOUND); an admin any.
 */
export class CancelOrderCommand extends Command<OrderCommandResult> {
  constructor(
    readonly orderId: string,
    readonly requestedBy: Pick<Principal, 'role' | 'customerId'>,
    readonly correlationId: string,
    readonly reason: string | null = null,
    /** Optional optimistic lock: when given, another current version is a 409. */
    readonly expectedVersion?: number,
    /** For the seed: a deterministic clock. */
    readonly options: { at?: Date } = {},
  ) {
    super();
  }
}
