import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../../../../config/env.js';
import { APP_CONFIG } from '../../../../shared/config.module.js';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { duplicateSku, invalidProductId } from '../../catalog.errors.js';
import { PRODUCT_ID_PATTERN } from '../../catalog.public.js';
import { Product } from '../../domain/product.aggregate.js';
import { ProductRepository } from '../../persistence/product.repository.js';
import type { ProductCommandResult } from '../command-accepted.response.dto.js';
import { CreateProductCommand } from './create-product.command.js';

@CommandHandler(CreateProductCommand)
export class CreateProductHandler implements ICommandHandler<CreateProductCommand, ProductCommandResult> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly products: ProductRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  execute(cmd: CreateProductCommand): Promise<ProductCommandResult> {
    const input = cmd.input;
    const productId = input.productId ?? `prd_${randomUUID()}`;
    if (!PRODUCT_ID_PATTERN.test(productId)) throw invalidProductId(productId);
    const now = new Date();
    return this.uow.run(async (session) => {
      if (await this.products.skuTaken(input.sku, session)) throw duplicateSku(input.sku);
      const product = Product.create(
        {
          productId,
          sku: input.sku,
          name: input.name,
          description: input.description ?? '',
          brand: input.brand,
          category: input.category,
          price: input.price,
          currency: input.currency ?? this.config.currency,
          images: input.images ?? [],
          features: input.features ?? [],
          quantity: input.quantity,
        },
        this.config.currency,
        { correlationId: cmd.correlationId, now },
      );
      const events = await this.products.save(product, session);
      return { result: { id: productId, version: product.version }, events };
    });
  }
}
