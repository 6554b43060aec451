import { IsOptional } from 'class-validator';
import {
  IsBrand,
  IsCategoryPath,
  IsCurrencyCode,
  IsDescription,
  IsFeatureList,
  IsImageList,
  IsPrice,
  IsProductName,
  IsSku,
  IsStockQuantity,
} from '../product-fields.js';

/** POST /api/products */
export class CreateProductRequestDto {
  @IsSku()
  sku!: string;

  @IsProductName()
  name!: string;

  @IsOptional()
  @IsDescription()
  description?: string;

  @IsBrand()
  brand!: string;

  /** Path from the root, e.g. ["Electronics", "Audio", "Headphones"]. */
  @IsCategoryPath()
  category!: string[];

  @IsPrice()
  price!: string;

  @IsOptional()
  @IsCurrencyCode()
  currency?: string;

  @IsOptional()
  @IsImageList()
  images?: string[];

  @IsOptional()
  @IsFeatureList()
  features?: string[];

  /** Initial available units. */
  @IsOptional()
  @IsStockQuantity()
  quantity?: number;
}
