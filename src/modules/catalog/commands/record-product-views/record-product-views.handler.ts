import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { productNotFound } from '../../catalog.errors.js';
import { ProductViewsRepository } from '../../persistence/product-views.repository.js';
import { ProductRepository } from '../../persistence/product.repository.js';
import type { ProductCommandResult } from '../command-accepted.response.dto.js';
import { RecordProductViewsCommand } from './record-product-views.command.js';

@CommandHandler(RecordProductViewsCommand)
export class RecordProductViewsHandler implements ICommandHandler<
  RecordProductViewsCommand,
  ProductCommandResult
> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly products: ProductRepository,
    private readonly views: ProductViewsRepository,
  ) {}

  execute(cmd: RecordProductViewsCommand): Promise<ProductCommandResult> {
    const now = new Date();
    return this.uow.run(async (session) => {
      if (!(await this.products.find(cmd.productId, session))) throw productNotFound(cmd.productId);
      const counter = await this.views.load(cmd.productId, session);
      counter.record(cmd.count, { correlationId: cmd.correlationId, now });
      const events = await this.views.save(counter, session);
      return { result: { id: cmd.productId, version: counter.state.version }, events };
    });
  }
}
