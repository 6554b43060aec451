import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { MONEY_PATTERN } from '../../../../shared/money/money.js';

export const PRODUCT_SORTS = ['relevance', 'price', 'popularity', 'rating', 'trending', 'newest'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

/** `features=a,b` or `features=a&features=b`: split on commas, trimmed, empties dropped. */
const toList = ({ value }: { value: unknown }): unknown => {
  const parts = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(parts) || !parts.every((p) => typeof p === 'string')) return value;
  return (parts as string[])
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
};

/**
 * Query parameters of GET /api/products/search. Every value must be a plain string (or a list of
 * strings for `features`): bracket syntax like `brand[$ne]=x` parses to an object and gets 400, so
 * no operator reaches the database.
 */
export class SearchProductsRequestDto {
  /** Full-text search over name (weight 10), brand (5), keywords (3), description (1). */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;

  /** Category path prefix, segments separated by '/': 'Electronics' or 'Electronics/Audio'. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  category?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  brand?: string;

  @IsOptional()
  @IsString()
  @Matches(MONEY_PATTERN, { message: 'minPrice must be a decimal amount like 10 or 10.50' })
  minPrice?: string;

  @IsOptional()
  @IsString()
  @Matches(MONEY_PATTERN, { message: 'maxPrice must be a decimal amount like 10 or 10.50' })
  maxPrice?: string;

  @IsOptional()
  @IsIn(['true', 'false'])
  inStock?: 'true' | 'false';

  /** Products having all of these features. */
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  features?: string[];

  /** Default: relevance with q, popularity without. */
  @IsOptional()
  @IsIn(PRODUCT_SORTS)
  sortBy?: ProductSort;

  /** Default: asc for price, desc for the others. */
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000)
  offset?: number;
}
