import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';

/** POST /api/orders/:id/cancel (the body is optional). */
export class CancelOrderRequestDto {
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  /** When given, the order must still be at this version (409 ORDERS.VERSION_CONFLICT otherwise). */
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}
