import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

export class TrendingProductsRequestDto {
  /** Top N, 1..50, default 10. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  limit?: number;

  /** Category path prefix, as in search. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  category?: string;
}
