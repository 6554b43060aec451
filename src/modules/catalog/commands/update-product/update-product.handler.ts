import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { ProductRepository } from '../../persistence/product.repository.js';
import type { ProductCommandResult } from '../command-accepted.response.dto.js';
import { UpdateProductCommand } from './update-product.command.js';

@CommandHandler(UpdateProductCommand)
export class UpdateProductHandler implements ICommandHandler<UpdateProductCommand, ProductCommandResult> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly products: ProductRepository,
  ) {}

  execute(cmd: UpdateProductCommand): Promise<ProductCommandResult> {
    const now = new Date();
    return this.uow.run(async (session) => {
      const product = await this.products.require(cmd.productId, session);
      product.expectVersion(cmd.expectedVersion);
      product.update(cmd.change, { correlationId: cmd.correlationId, now });
      const events = await this.products.save(product, session);
      return { result: { id: product.productId, version: product.version }, events };
    });
  }
}
