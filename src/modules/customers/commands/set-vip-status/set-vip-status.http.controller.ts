import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, HttpStatus, Param, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { accepted, type CustomerCommandAcceptedDto } from '../command-accepted.response.dto.js';
import { CustomerParamsDto } from '../customer-params.request.dto.js';
import { CorrelationId } from '../../../../shared/http/correlation-id.js';
import { SetVipStatusCommand } from './set-vip-status.command.js';
import { SetVipStatusRequestDto } from './set-vip-status.request.dto.js';
import { ApiCommand } from '../../../../shared/http/api-docs.js';

/** `PUT /api/customers/:id/vip` (admin). Setting the status it already has changes nothing. */
@ApiTags('customers')
@ApiBearerAuth('bearer')
@Controller('api/customers')
export class SetVipStatusHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @ApiCommand('Set the VIP status of a customer (admin)', [400, 403, 404, 409])
  @Put(':id/vip')
  @Roles('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  async setVipStatus(
    @Param() params: CustomerParamsDto,
    @Body() body: SetVipStatusRequestDto,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CustomerCommandAcceptedDto> {
    const result = await this.commandBus.execute(
      new SetVipStatusCommand(params.id, body.vipStatus, body.expectedVersion, correlationId),
    );
    return accepted(res, result);
  }
}
