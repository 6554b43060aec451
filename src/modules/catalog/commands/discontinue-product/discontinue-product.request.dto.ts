import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsExpectedVersion } from '../product-fields.js';

/** POST /api/products/:id/discontinue (the body may be empty). */
export class DiscontinueProductRequestDto {
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  @IsOptional()
  @IsExpectedVersion()
  version?: number;
}
