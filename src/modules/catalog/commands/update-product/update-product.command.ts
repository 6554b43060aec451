import { Command } from '@nestjs/cqrs';
import type { DetailsChange } from '../../domain/product.aggregate.js';
import type { ProductCommandResult } from '../command-accepted.response.dto.js';

/** Changes details and/or price; `expectedVersion` (optional) is the client's optimistic lock. */
export class UpdateProductCommand extends Command<ProductCommandResult> {
  constructor(
    readonly productId: string,
    readonly change: DetailsChange,
    readonly expectedVersion: number | undefined,
    readonly correlationId: string,
  ) {
    super();
  }
}
