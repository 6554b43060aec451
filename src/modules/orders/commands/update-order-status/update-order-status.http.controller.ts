import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, HttpStatus, Param, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import {
  accepted,
  answerAcceptedFromTransaction,
  type CommandAcceptedResponseDto,
} from '../command-accepted.response.dto.js';
import { CorrelationId } from '../../../../shared/http/correlation-id.js';
import { UpdateOrderStatusCommand } from './update-order-status.command.js';
import { UpdateOrderStatusRequestDto } from './update-order-status.request.dto.js';
import { ApiCommand } from '../../../../shared/http/api-docs.js';

@ApiTags('orders')
@ApiBearerAuth('bearer')
@Controller('api/orders')
export class UpdateOrderStatusHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @ApiCommand('Change an order status (admin)', [400, 403, 404, 409], {
    description: '409 on a version conflict or a transition the order status does not allow.',
  })
  @Put(':id/status')
  @Roles('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  async updateStatus(
    @Param('id') orderId: string,
    @Body() body: UpdateOrderStatusRequestDto,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandAcceptedResponseDto> {
    answerAcceptedFromTransaction();
    const result = await this.commandBus.execute(
      new UpdateOrderStatusCommand(orderId, body.status, body.version, correlationId),
    );
    return accepted(res, result);
  }
}
