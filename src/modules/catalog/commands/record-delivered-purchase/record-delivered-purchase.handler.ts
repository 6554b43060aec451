import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { DeliveredPurchaseRepository } from '../../persistence/delivered-purchase.repository.js';
import { RecordDeliveredPurchaseCommand } from './record-delivered-purchase.command.js';

/** Upserts one `delivered_purchases` document per product, atomically; raises no event. */
@CommandHandler(RecordDeliveredPurchaseCommand)
export class RecordDeliveredPurchaseHandler implements ICommandHandler<RecordDeliveredPurchaseCommand, void> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly purchases: DeliveredPurchaseRepository,
  ) {}

  execute(cmd: RecordDeliveredPurchaseCommand): Promise<void> {
    return this.uow.run(async (session) => {
      await this.purchases.record(cmd.customerId, cmd.productIds, cmd.orderId, cmd.deliveredAt, session);
      return { result: undefined, events: [] };
    });
  }
}
