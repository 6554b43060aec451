import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PRODUCT_ID_PATTERN } from '../../../catalog/catalog.public.js';
import { ADDRESS_ID_PATTERN, CUSTOMER_ID_PATTERN } from '../../../customers/customers.public.js';

export const MAX_ORDER_LINES = 50;
export const MAX_LINE_QUANTITY = 1000;

export class OrderItemRequestDto {
  @IsString()
  @Matches(PRODUCT_ID_PATTERN, { message: 'productId must be a product id (prd_<uuid>)' })
  productId!: string;

  @IsInt()
  @Min(1)
  @Max(MAX_LINE_QUANTITY)
  quantity!: number;
}

/** POST /api/orders */
export class PlaceOrderRequestDto {
  /** Only for admins (placing an order on a customer's behalf); a customer's token names the customer. */
  @IsOptional()
  @IsString()
  @Matches(CUSTOMER_ID_PATTERN, { message: 'customerId must be a customer id (cus_<uuid>)' })
  customerId?: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ORDER_LINES)
  @ArrayUnique((item: OrderItemRequestDto | null | undefined) => item?.productId, {
    message: 'items must name each product once (add the quantities up)',
  })
  @ValidateNested({ each: true })
  @Type(() => OrderItemRequestDto)
  items!: OrderItemRequestDto[];

  @IsString()
  @Matches(ADDRESS_ID_PATTERN, { message: 'shippingAddressId must be an address id (adr_<uuid>)' })
  shippingAddressId!: string;

  @IsString()
  @Matches(ADDRESS_ID_PATTERN, { message: 'billingAddressId must be an address id (adr_<uuid>)' })
  billingAddressId!: string;
}
