import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, ValidateBy } from 'class-validator';
import { MAX_STOCK } from '../../domain/product.aggregate.js';
import { IsExpectedVersion, IsStockQuantity } from '../product-fields.js';

interface DeltaOrSet {
  delta?: unknown;
  set?: unknown;
}

/**
 * `delta`: a non-zero integer, and exactly one of `delta` and `set` given. One rule with one
 * message per case, so a missing or doubled field is reported as such (not as a bad integer).
 */
const IsDeltaOrSet = (): PropertyDecorator =>
  ValidateBy({
    name: 'isDeltaOrSet',
    validator: {
      validate: (value: unknown, args) => {
        const o = args?.object as DeltaOrSet;
        if ((o.delta === undefined) === (o.set === undefined)) return false;
        return (
          value === undefined ||
          (typeof value === 'number' &&
            Number.isInteger(value) &&
            value !== 0 &&
            Math.abs(value) <= MAX_STOCK)
        );
      },
      defaultMessage: (args) => {
        const o = args?.object as DeltaOrSet;
        if (o.delta === undefined && o.set === undefined) return 'exactly one of delta and set must be given';
        if (o.delta !== undefined && o.set !== undefined) return 'delta and set cannot be given together';
        return `delta must be a non-zero integer between -${MAX_STOCK} and ${MAX_STOCK}`;
      },
    },
  });

/**
 * POST /api/products/:id/inventory: `{ delta }` adds to (or, negative, takes from) the available
 * quantity; `{ set }` sets it. Reserved units belong to orders and are never touched here.
 */
export class AdjustInventoryRequestDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: -MAX_STOCK,
    maximum: MAX_STOCK,
    description: 'Non-zero change of the available quantity; exactly one of `delta` and `set`',
  })
  @IsDeltaOrSet()
  delta?: number;

  @IsOptional()
  @IsStockQuantity()
  set?: number;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  @IsOptional()
  @IsExpectedVersion()
  version?: number;
}
