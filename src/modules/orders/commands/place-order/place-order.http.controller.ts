import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { CurrentPrincipal } from '../../../../shared/auth/auth.decorators.js';
import type { Principal } from '../../../../shared/auth/jwt.js';
import { AppError, forbidden } from '../../../../shared/errors/app-error.js';
import {
  accepted,
  answerAcceptedFromTransaction,
  type CommandAcceptedResponseDto,
} from '../command-accepted.response.dto.js';
import { CorrelationId } from '../../../../shared/http/correlation-id.js';
import { PlaceOrderCommand } from './place-order.command.js';
import { PlaceOrderRequestDto } from './place-order.request.dto.js';
import { ApiCommand } from '../../../../shared/http/api-docs.js';

/**
 * Who the order is for: a customer orders for themselves (a `customerId` in the body, if any, must
 * be their own); an admin must name the customer.
 */
function orderingCustomer(principal: Principal, requested: string | undefined): string {
  if (principal.role === 'admin') {
    if (requested === undefined)
      throw new AppError('REQUEST.VALIDATION_FAILED', 400, 'Validation failed for customerId', [
        { field: 'customerId', errors: ['customerId is required when an admin places an order'] },
      ]);
    return requested;
  }
  const own = principal.customerId;
  if (!own) throw forbidden('The token names no customer');
  if (requested !== undefined && requested !== own)
    throw forbidden('A customer can only order for themselves');
  return own;
}

@ApiTags('orders')
@ApiBearerAuth('bearer')
@Controller('api/orders')
export class PlaceOrderHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @ApiCommand('Place an order', [400, 403, 404, 409], {
    description:
      'A customer orders for themselves (a `customerId` in the body must be their own); an admin must name the customer.',
  })
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async placeOrder(
    @Body() body: PlaceOrderRequestDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandAcceptedResponseDto> {
    const customerId = orderingCustomer(principal, body.customerId);
    answerAcceptedFromTransaction();
    const result = await this.commandBus.execute(
      new PlaceOrderCommand(
        customerId,
        body.items.map((i) => ({ productId: i.productId, quantity: i.quantity })),
        body.shippingAddressId,
        body.billingAddressId,
        correlationId,
      ),
    );
    return accepted(res, result);
  }
}
