/**
 * Validation rules of the product fields, shared by the create and update request DTOs so both
 * accept exactly the same values. Money is a decimal string (never a JSON number: no floats).
 */
import { applyDecorators } from '@nestjs/common';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';
import { Dec, MONEY_PATTERN } from '../../../shared/money/money.js';
import { MAX_STOCK } from '../domain/product.aggregate.js';

export const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NOT_BLANK = /\S/;

export const IsSku = () =>
  applyDecorators(
    IsString(),
    Matches(SKU_PATTERN, {
      message:
        'sku must be 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit',
    }),
  );

export const IsProductName = () =>
  applyDecorators(IsString(), Length(1, 200), Matches(NOT_BLANK, { message: 'name must not be blank' }));

export const IsDescription = () => applyDecorators(IsString(), MaxLength(5000));

export const IsBrand = () =>
  applyDecorators(IsString(), Length(1, 100), Matches(NOT_BLANK, { message: 'brand must not be blank' }));

export const IsCategoryPath = () =>
  applyDecorators(
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(6),
    IsString({ each: true }),
    Length(1, 100, { each: true }),
    Matches(NOT_BLANK, { each: true, message: 'each category level must not be blank' }),
  );

export const IsImageList = () =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(10),
    IsString({ each: true }),
    MaxLength(2048, { each: true }),
    IsUrl({ protocols: ['http', 'https'], require_protocol: true }, { each: true }),
  );

export const IsFeatureList = () =>
  applyDecorators(IsArray(), ArrayMaxSize(30), IsString({ each: true }), Length(1, 200, { each: true }));

/** A positive amount as a decimal string with at most 2 fraction digits ("19.99"). */
export function IsPrice(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPrice',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && MONEY_PATTERN.test(value) && new Dec(value).gt(0),
        defaultMessage: () =>
          '$property must be a positive decimal string with at most 2 fraction digits, e.g. "19.99"',
      },
    },
    options,
  );
}

export const IsCurrencyCode = () =>
  applyDecorators(
    IsString(),
    Matches(/^[A-Z]{3}$/, { message: 'currency must be a 3-letter ISO 4217 code' }),
  );

export const IsStockQuantity = () => applyDecorators(IsInt(), Min(0), Max(MAX_STOCK));

export const IsExpectedVersion = () => applyDecorators(IsInt(), Min(1));
