import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Controller, Delete, HttpCode, HttpStatus, Param, Query, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { accepted, type CustomerCommandAcceptedDto } from '../command-accepted.response.dto.js';
import { CustomerAccessGuard } from '../customer-access.guard.js';
import { AddressParamsDto, ExpectedVersionQueryDto } from '../customer-params.request.dto.js';
import { CorrelationId } from '../../../../shared/http/correlation-id.js';
import { RemoveAddressCommand } from './remove-address.command.js';
import { ApiCommand } from '../../../../shared/http/api-docs.js';

/**
 * `DELETE /api/customers/:id/addresses/:addressId[?expectedVersion=N]` (the customer themself, or
 * an admin). `Location` points at the customer (the address is gone).
 */
@ApiTags('customers')
@ApiBearerAuth('bearer')
@Controller('api/customers')
export class RemoveAddressHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @ApiCommand('Remove an address (the customer or an admin)', [400, 403, 404, 409], {
    body: false,
    description: '`?expectedVersion=N`. `Location` points at the customer (the address is gone).',
  })
  @Delete(':id/addresses/:addressId')
  @UseGuards(CustomerAccessGuard)
  @HttpCode(HttpStatus.ACCEPTED)
  async removeAddress(
    @Param() params: AddressParamsDto,
    @Query() query: ExpectedVersionQueryDto,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CustomerCommandAcceptedDto> {
    const result = await this.commandBus.execute(
      new RemoveAddressCommand(params.id, params.addressId, query.expectedVersion, correlationId),
    );
    const body = accepted(res, result);
    return { ...body, id: params.addressId };
  }
}
