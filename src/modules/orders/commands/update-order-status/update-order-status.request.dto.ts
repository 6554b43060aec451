import { IsIn, IsInt, Min } from 'class-validator';
import { ORDER_STATUSES, type OrderStatus } from '../../domain/order.aggregate.js';

/** PUT /api/orders/:id/status */
export class UpdateOrderStatusRequestDto {
  @IsIn(ORDER_STATUSES)
  status!: OrderStatus;

  /** The version the caller last saw; another one is a 409 ORDERS.VERSION_CONFLICT. */
  @IsInt()
  @Min(1)
  version!: number;
}
