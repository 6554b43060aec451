import { IsOptional } from 'class-validator';
import {
  IsBrand,
  IsCategoryPath,
  IsDescription,
  IsExpectedVersion,
  IsFeatureList,
  IsImageList,
  IsPrice,
  IsProductName,
} from '../product-fields.js';

/** PATCH /api/products/:id: any subset of the fields (SKU and currency cannot change). */
export class UpdateProductRequestDto {
  @IsOptional()
  @IsProductName()
  name?: string;

  @IsOptional()
  @IsDescription()
  description?: string;

  @IsOptional()
  @IsBrand()
  brand?: string;

  @IsOptional()
  @IsCategoryPath()
  category?: string[];

  @IsOptional()
  @IsImageList()
  images?: string[];

  @IsOptional()
  @IsFeatureList()
  features?: string[];

  @IsOptional()
  @IsPrice()
  price?: string;

  /** The version the client last saw; a different current version is a 409. */
  @IsOptional()
  @IsExpectedVersion()
  version?: number;
}
