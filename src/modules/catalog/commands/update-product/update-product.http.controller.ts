import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, Param, Patch, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import {
  accepted,
  requireProductIdShape,
  type CommandAcceptedResponseDto,
} from '../command-accepted.response.dto.js';
import { CorrelationId } from '../../../../shared/http/correlation-id.js';
import { UpdateProductCommand } from './update-product.command.js';
import { UpdateProductRequestDto } from './update-product.request.dto.js';
import { ApiCommand } from '../../../../shared/http/api-docs.js';

@ApiTags('catalog')
@ApiBearerAuth('bearer')
@Controller('api/products')
export class UpdateProductHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  /**
   * Admin: change details and/or price. Unchanged values raise nothing (the current version is
   * returned). 409 CATALOG.VERSION_CONFLICT when `version` is given and is not the current one.
   */
  @ApiCommand('Update product details and/or price (admin)', [400, 403, 404, 409], {
    description:
      'Unchanged values raise nothing. 409 CATALOG.VERSION_CONFLICT when `version` is given and is not the current one.',
  })
  @Patch(':id')
  @HttpCode(202)
  @Roles('admin')
  async update(
    @Param('id') id: string,
    @Body() body: UpdateProductRequestDto,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandAcceptedResponseDto> {
    const { version, ...change } = body;
    const result = await this.commandBus.execute(
      new UpdateProductCommand(requireProductIdShape(id), change, version, correlationId),
    );
    return accepted(res, result);
  }
}
