import { Command } from '@nestjs/cqrs';

/** Remembers that a customer received these products (entitles them to review them). Idempotent. */
export class RecordDeliveredPurchaseCommand extends Command<void> {
  constructor(
    readonly orderId: string,
    readonly customerId: string,
    readonly productIds: string[],
    readonly deliveredAt: Date,
  ) {
    super();
  }
}
