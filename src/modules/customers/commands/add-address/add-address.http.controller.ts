import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, HttpStatus, Param, Post, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { accepted, type CustomerCommandAcceptedDto } from '../command-accepted.response.dto.js';
import { CustomerAccessGuard } from '../customer-access.guard.js';
import { CustomerParamsDto } from '../customer-params.request.dto.js';
import { CorrelationId } from '../../../../shared/http/correlation-id.js';
import { AddAddressCommand } from './add-address.command.js';
import { AddAddressRequestDto } from './add-address.request.dto.js';
import { ApiCommand } from '../../../../shared/http/api-docs.js';

/** `POST /api/customers/:id/addresses` (the customer themself, or an admin). `id` in the answer is the new address. */
@ApiTags('customers')
@ApiBearerAuth('bearer')
@Controller('api/customers')
export class AddAddressHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @ApiCommand('Add an address (the customer or an admin)', [400, 403, 404, 409], {
    description: '`id` in the answer is the new address; 409 when the address limit is reached.',
  })
  @Post(':id/addresses')
  @UseGuards(CustomerAccessGuard)
  @HttpCode(HttpStatus.ACCEPTED)
  async addAddress(
    @Param() params: CustomerParamsDto,
    @Body() body: AddAddressRequestDto,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CustomerCommandAcceptedDto> {
    const { expectedVersion, ...address } = body;
    const result = await this.commandBus.execute(
      new AddAddressCommand(params.id, address, expectedVersion, correlationId),
    );
    return accepted(res, result, 'address');
  }
}
