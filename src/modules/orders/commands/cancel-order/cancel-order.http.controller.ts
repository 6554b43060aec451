import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { CurrentPrincipal } from '../../../../shared/auth/auth.decorators.js';
import type { Principal } from '../../../../shared/auth/jwt.js';
import {
  accepted,
  answerAcceptedFromTransaction,
  type CommandAcceptedResponseDto,
} from '../command-accepted.response.dto.js';
import { CorrelationId } from '../../../../shared/http/correlation-id.js';
import { CancelOrderCommand } from './cancel-order.command.js';
import { CancelOrderRequestDto } from './cancel-order.request.dto.js';
import { ApiCommand } from '../../../../shared/http/api-docs.js';

@ApiTags('orders')
@ApiBearerAuth('bearer')
@Controller('api/orders')
export class CancelOrderHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  /** The owning customer or an admin. */
  @ApiCommand('Cancel an order (its customer or an admin)', [400, 403, 404, 409])
  @Post(':id/cancel')
  @HttpCode(HttpStatus.ACCEPTED)
  async cancel(
    @Param('id') orderId: string,
    @Body() body: CancelOrderRequestDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandAcceptedResponseDto> {
    answerAcceptedFromTransaction();
    const result = await this.commandBus.execute(
      new CancelOrderCommand(
        orderId,
        { role: principal.role, customerId: principal.customerId },
        correlationId,
        body.reason?.trim() || null,
        body.version,
      ),
    );
    return accepted(res, result);
  }
}
