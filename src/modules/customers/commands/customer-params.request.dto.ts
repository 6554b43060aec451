import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min, ValidateIf, type ValidationOptions } from 'class-validator';
import { ADDRESS_ID_PATTERN, CUSTOMER_ID_PATTERN } from '../customers.public.js';

/**
 * Route parameters and shared request fields. Path ids must have the id shape, so only a plain
 * `cus_<uuid>` / `adr_<uuid>` string ever reaches a query.
 */
export class CustomerParamsDto {
  @Matches(CUSTOMER_ID_PATTERN, { message: 'id must be a customer id (cus_<uuid>)' })
  id!: string;
}

export class AddressParamsDto extends CustomerParamsDto {
  @Matches(ADDRESS_ID_PATTERN, { message: 'addressId must be an address id (adr_<uuid>)' })
  addressId!: string;
}

/**
 * Optional, but when present it must be valid: unlike @IsOptional, null is not "absent" (null
 * would clear a field that cannot be cleared).
 */
export const IsOptionalNotNull = (options?: ValidationOptions): PropertyDecorator =>
  ValidateIf((_o: unknown, value: unknown) => value !== undefined, options);

export const MAX_VERSION = 2 ** 31 - 1;

/** Optional optimistic lock: the customer version the client last saw. */
export class ExpectedVersionDto {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  expectedVersion?: number;
}

/** `?expectedVersion=5` (query strings are text; converted, then validated as an integer). */
export class ExpectedVersionQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  expectedVersion?: number;
}
