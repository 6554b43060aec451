import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { accepted, type CommandAcceptedResponseDto } from '../command-accepted.response.dto.js';
import { CorrelationId } from '../../../../shared/http/correlation-id.js';
import { CreateProductCommand } from './create-product.command.js';
import { CreateProductRequestDto } from './create-product.request.dto.js';
import { ApiCommand } from '../../../../shared/http/api-docs.js';

@ApiTags('catalog')
@ApiBearerAuth('bearer')
@Controller('api/products')
export class CreateProductHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  /** Admin: add a product. 409 CATALOG.DUPLICATE_SKU when the SKU is taken. */
  @ApiCommand('Create a product (admin)', [400, 403, 409], {
    description: '409 CATALOG.DUPLICATE_SKU when the SKU is taken.',
  })
  @Post()
  @HttpCode(202)
  @Roles('admin')
  async create(
    @Body() body: CreateProductRequestDto,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandAcceptedResponseDto> {
    const result = await this.commandBus.execute(new CreateProductCommand({ ...body }, correlationId));
    return accepted(res, result);
  }
}
