import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { KeyedMutex } from '../../../../shared/persistence/keyed-mutex.js';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { ProductRepository } from '../../persistence/product.repository.js';
import type { ProductCommandResult } from '../command-accepted.response.dto.js';
import { AdjustInventoryCommand } from './adjust-inventory.command.js';

@CommandHandler(AdjustInventoryCommand)
export class AdjustInventoryHandler implements ICommandHandler<AdjustInventoryCommand, ProductCommandResult> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly productLocks: KeyedMutex,
    private readonly products: ProductRepository,
  ) {}

  /** Queued with the orders reserving this product (KeyedMutex), not racing them. */
  execute(cmd: AdjustInventoryCommand): Promise<ProductCommandResult> {
    return this.productLocks.runExclusive([cmd.productId], () => this.adjust(cmd));
  }

  private adjust(cmd: AdjustInventoryCommand): Promise<ProductCommandResult> {
    const now = new Date();
    return this.uow.run(async (session) => {
      const product = await this.products.require(cmd.productId, session);
      product.expectVersion(cmd.expectedVersion);
      product.adjustInventory(cmd.change, cmd.reason, { correlationId: cmd.correlationId, now });
      const events = await this.products.save(product, session);
      return { result: { id: product.productId, version: product.version }, events };
    });
  }
}
