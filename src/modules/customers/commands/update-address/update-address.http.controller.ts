import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, HttpStatus, Param, Patch, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { requestInvalid } from '../../customers.errors.js';
import type { AddressChanges } from '../../domain/customer.aggregate.js';
import { accepted, type CustomerCommandAcceptedDto } from '../command-accepted.response.dto.js';
import { CustomerAccessGuard } from '../customer-access.guard.js';
import { AddressParamsDto } from '../customer-params.request.dto.js';
import { CorrelationId } from '../../../../shared/http/correlation-id.js';
import { UpdateAddressCommand } from './update-address.command.js';
import { UPDATABLE_ADDRESS_FIELDS, UpdateAddressRequestDto } from './update-address.request.dto.js';
import { ApiCommand } from '../../../../shared/http/api-docs.js';

/** `PATCH /api/customers/:id/addresses/:addressId` (the customer themself, or an admin). */
@ApiTags('customers')
@ApiBearerAuth('bearer')
@Controller('api/customers')
export class UpdateAddressHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @ApiCommand('Update an address (the customer or an admin)', [400, 403, 404, 409])
  @Patch(':id/addresses/:addressId')
  @UseGuards(CustomerAccessGuard)
  @HttpCode(HttpStatus.ACCEPTED)
  async updateAddress(
    @Param() params: AddressParamsDto,
    @Body() body: UpdateAddressRequestDto,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CustomerCommandAcceptedDto> {
    const changes: AddressChanges = {};
    for (const field of UPDATABLE_ADDRESS_FIELDS) {
      if (body[field] !== undefined) Object.assign(changes, { [field]: body[field] });
    }
    if (Object.keys(changes).length === 0)
      throw requestInvalid('body', `at least one of ${UPDATABLE_ADDRESS_FIELDS.join(', ')} is required`);
    const result = await this.commandBus.execute(
      new UpdateAddressCommand(params.id, params.addressId, changes, body.expectedVersion, correlationId),
    );
    return accepted(res, result, 'address');
  }
}
