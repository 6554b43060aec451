import { Command } from '@nestjs/cqrs';
import type { InventoryChange } from '../../domain/product.aggregate.js';
import type { ProductCommandResult } from '../command-accepted.response.dto.js';

/** Admin correction of a product's available quantity: by `delta` or to an absolute `set`. */
export class AdjustInventoryCommand extends Command<ProductCommandResult> {
  constructor(
    readonly productId: string,
    readonly change: InventoryChange,
    readonly reason: string | null,
    readonly expectedVersion: number | undefined,
    readonly correlationId: string,
  ) {
    super();
  }
}
