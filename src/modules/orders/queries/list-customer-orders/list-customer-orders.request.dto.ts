import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import { ORDER_STATUSES, type OrderStatus } from '../../orders.public.js';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** Paging shared by the order lists: limit 1..100 (default 20), offset >= 0 (default 0). */
export class PageRequestDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset: number = 0;
}

export const SORT_FIELDS = ['createdAt', 'total'] as const;
export const SORT_ORDERS = ['asc', 'desc'] as const;

/**
 * GET /api/customers/:id/orders?status=&fromDate=&toDate=&limit=&offset=&sort=&order=
 * fromDate / toDate: ISO-8601 dates or date-times, both inclusive (a date-only toDate covers that
 * whole UTC day). sort: createdAt (default) or total; order: desc (default) or asc.
 */
export class ListCustomerOrdersRequestDto extends PageRequestDto {
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'fromDate must be an ISO-8601 date (2026-02-10) or date-time' })
  fromDate?: string;

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'toDate must be an ISO-8601 date (2026-02-10) or date-time' })
  toDate?: string;

  @IsOptional()
  @IsIn(SORT_FIELDS)
  sort: (typeof SORT_FIELDS)[number] = 'createdAt';

  @IsOptional()
  @IsIn(SORT_ORDERS)
  order: (typeof SORT_ORDERS)[number] = 'desc';
}
