import { Command } from '@nestjs/cqrs';
import type { ProductCommandResult } from '../command-accepted.response.dto.js';

/** Takes a product off sale for good (existing reservations still release or ship). */
export class DiscontinueProductCommand extends Command<ProductCommandResult> {
  constructor(
    readonly productId: string,
    readonly reason: string | null,
    readonly expectedVersion: number | undefined,
    readonly correlationId: string,
  ) {
    super();
  }
}
