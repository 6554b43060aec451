import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { accepted, type CustomerCommandAcceptedDto } from '../command-accepted.response.dto.js';
import { CustomerParamsDto } from '../customer-params.request.dto.js';
import { CorrelationId } from '../../../../shared/http/correlation-id.js';
import { SuspendCustomerCommand } from './suspend-customer.command.js';
import { SuspendCustomerRequestDto } from './suspend-customer.request.dto.js';
import { ApiCommand } from '../../../../shared/http/api-docs.js';

/** `POST /api/customers/:id/suspend` (admin). */
@ApiTags('customers')
@ApiBearerAuth('bearer')
@Controller('api/customers')
export class SuspendCustomerHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @ApiCommand('Suspend a customer (admin)', [400, 403, 404, 409])
  @Post(':id/suspend')
  @Roles('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  async suspend(
    @Param() params: CustomerParamsDto,
    @Body() body: SuspendCustomerRequestDto,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CustomerCommandAcceptedDto> {
    const result = await this.commandBus.execute(
      new SuspendCustomerCommand(params.id, body.reason ?? null, body.expectedVersion, correlationId),
    );
    return accepted(res, result);
  }
}
