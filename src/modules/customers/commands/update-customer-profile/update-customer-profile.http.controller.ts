import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, HttpStatus, Param, Patch, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { requestInvalid } from '../../customers.errors.js';
import { accepted, type CustomerCommandAcceptedDto } from '../command-accepted.response.dto.js';
import { CustomerAccessGuard } from '../customer-access.guard.js';
import { CustomerParamsDto } from '../customer-params.request.dto.js';
import { CorrelationId } from '../../../../shared/http/correlation-id.js';
import { UpdateCustomerProfileCommand } from './update-customer-profile.command.js';
import { UpdateCustomerProfileRequestDto } from './update-customer-profile.request.dto.js';
import { ApiCommand } from '../../../../shared/http/api-docs.js';

/** `PATCH /api/customers/:id` (the customer themself, or an admin). */
@ApiTags('customers')
@ApiBearerAuth('bearer')
@Controller('api/customers')
export class UpdateCustomerProfileHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @ApiCommand('Update a customer profile (the customer or an admin)', [400, 403, 404, 409])
  @Patch(':id')
  @UseGuards(CustomerAccessGuard)
  @HttpCode(HttpStatus.ACCEPTED)
  async update(
    @Param() params: CustomerParamsDto,
    @Body() body: UpdateCustomerProfileRequestDto,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CustomerCommandAcceptedDto> {
    const { expectedVersion, ...changes } = body;
    if (changes.name === undefined && changes.email === undefined && changes.phone === undefined)
      throw requestInvalid('body', 'at least one of name, email, phone is required');
    const result = await this.commandBus.execute(
      new UpdateCustomerProfileCommand(params.id, changes, expectedVersion, correlationId),
    );
    return accepted(res, result);
  }
}
