import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { accepted, type CustomerCommandAcceptedDto } from '../command-accepted.response.dto.js';
import { CustomerParamsDto } from '../customer-params.request.dto.js';
import { CorrelationId } from '../../../../shared/http/correlation-id.js';
import { ReactivateCustomerCommand } from './reactivate-customer.command.js';
import { ReactivateCustomerRequestDto } from './reactivate-customer.request.dto.js';
import { ApiCommand } from '../../../../shared/http/api-docs.js';

/** `POST /api/customers/:id/reactivate` (admin). */
@ApiTags('customers')
@ApiBearerAuth('bearer')
@Controller('api/customers')
export class ReactivateCustomerHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @ApiCommand('Reactivate a suspended customer (admin)', [400, 403, 404, 409])
  @Post(':id/reactivate')
  @Roles('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  async reactivate(
    @Param() params: CustomerParamsDto,
    @Body() body: ReactivateCustomerRequestDto,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CustomerCommandAcceptedDto> {
    const result = await this.commandBus.execute(
      new ReactivateCustomerCommand(params.id, body.expectedVersion, correlationId),
    );
    return accepted(res, result);
  }
}
