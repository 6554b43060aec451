import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { ProductRepository } from '../../persistence/product.repository.js';
import type { ProductCommandResult } from '../command-accepted.response.dto.js';
import { AdjustInventoryCommand } from './adjust-inventory.command.js';

@CommandHandler(AdjustInventoryCommand)
export class AdjustInventoryHandler implements ICommandHandler<AdjustInventoryCommand, ProductCommandResult> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly products: ProductRepository,
  ) {}

  execute(cmd: AdjustInventoryCommand): Promise<ProductCommandResult> {
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
