import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { MONEY_PATTERN } from '../../../../shared/money/money.js';
import { ORDER_STATUSES, type OrderStatus } from '../../orders.public.js';
import { PageRequestDto } from '../list-customer-orders/list-customer-orders.request.dto.js';

/**
 * GET /api/orders/search?q=&status=&minTotal=&maxTotal=&limit=&offset= (admin). `q` is a full-text
 * search over order id, customer name and email, product names, SKUs, brands, categories and the
 * shipping city (MongoDB `$text`: words, "quoted phrases", -negation); results by relevance, then
 * newest. Totals are decimal strings with at most two fraction digits, both bounds inclusive.
 */
export class SearchOrdersRequestDto extends PageRequestDto {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;

  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;

  @IsOptional()
  @IsString()
  @Matches(MONEY_PATTERN, { message: 'minTotal must be a decimal amount like 10 or 10.50' })
  minTotal?: string;

  @IsOptional()
  @IsString()
  @Matches(MONEY_PATTERN, { message: 'maxTotal must be a decimal amount like 10 or 10.50' })
  maxTotal?: string;
}
