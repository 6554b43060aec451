import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { ProductRepository } from '../../persistence/product.repository.js';
import type { ProductCommandResult } from '../command-accepted.response.dto.js';
import { DiscontinueProductCommand } from './discontinue-product.command.js';

@CommandHandler(DiscontinueProductCommand)
export class DiscontinueProductHandler implements ICommandHandler<
  DiscontinueProductCommand,
  ProductCommandResult
> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly products: ProductRepository,
  ) {}

  execute(cmd: DiscontinueProductCommand): Promise<ProductCommandResult> {
    const now = new Date();
    return this.uow.run(async (session) => {
      const product = await this.products.require(cmd.productId, session);
      product.expectVersion(cmd.expectedVersion);
      product.discontinue(cmd.reason, { correlationId: cmd.correlationId, now });
      const events = await this.products.save(product, session);
      return { result: { id: product.productId, version: product.version }, events };
    });
  }
}
