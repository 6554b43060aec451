import { Command } from '@nestjs/cqrs';
import type { ProductCommandResult } from '../command-accepted.response.dto.js';

/**
 * Adds one flushed batch of views to a product's view counter (one event per batch). Result: the
 * product id and the counter's version. 404 when the product does not exist.
 */
export class RecordProductViewsCommand extends Command<ProductCommandResult> {
  constructor(
    readonly productId: string,
    readonly count: number,
    readonly correlationId: string,
  ) {
    super();
  }
}
