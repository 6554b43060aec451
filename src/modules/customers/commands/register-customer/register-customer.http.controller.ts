import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { accepted, type CustomerCommandAcceptedDto } from '../command-accepted.response.dto.js';
import { CorrelationId } from '../../../../shared/http/correlation-id.js';
import { RegisterCustomerCommand } from './register-customer.command.js';
import { RegisterCustomerRequestDto } from './register-customer.request.dto.js';
import { ApiCommand } from '../../../../shared/http/api-docs.js';

/** `POST /api/customers` (admin): customers are created by an operator, not self-registered. */
@ApiTags('customers')
@ApiBearerAuth('bearer')
@Controller('api/customers')
export class RegisterCustomerHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @ApiCommand('Register a customer (admin)', [400, 403, 409], { description: '409 when the email is taken.' })
  @Post()
  @Roles('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  async register(
    @Body() body: RegisterCustomerRequestDto,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CustomerCommandAcceptedDto> {
    const result = await this.commandBus.execute(
      new RegisterCustomerCommand(
        { name: body.name, email: body.email, phone: body.phone ?? null, vipStatus: body.vipStatus },
        correlationId,
      ),
    );
    return accepted(res, result);
  }
}
