import { Command } from '@nestjs/cqrs';
import type { ProductCommandResult } from '../command-accepted.response.dto.js';

export interface CreateProductInput {
  /** `prd_<uuid>`; omitted = generated. The seed passes its own for deterministic data. */
  productId?: string;
  sku: string;
  name: string;
  description?: string;
  brand: string;
  category: string[];
  /** Decimal string, at most 2 fraction digits, > 0. */
  price: string;
  /** Defaults to the service's CURRENCY; any other is refused. */
  currency?: string;
  images?: string[];
  features?: string[];
  /** Initial available units (default 0). */
  quantity?: number;
}

/** Adds a product to the catalog (version 1, status active). */
export class CreateProductCommand extends Command<ProductCommandResult> {
  constructor(
    readonly input: CreateProductInput,
    readonly correlationId: string,
  ) {
    super();
  }
}
