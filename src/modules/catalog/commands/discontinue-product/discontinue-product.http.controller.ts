import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import {
  accepted,
  requireProductIdShape,
  type CommandAcceptedResponseDto,
} from '../command-accepted.response.dto.js';
import { CorrelationId } from '../../../../shared/http/correlation-id.js';
import { DiscontinueProductCommand } from './discontinue-product.command.js';
import { DiscontinueProductRequestDto } from './discontinue-product.request.dto.js';
import { ApiCommand } from '../../../../shared/http/api-docs.js';

@ApiTags('catalog')
@ApiBearerAuth('bearer')
@Controller('api/products')
export class DiscontinueProductHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  /** Admin: 409 CATALOG.ALREADY_DISCONTINUED the second time. */
  @ApiCommand('Discontinue a product (admin)', [400, 403, 404, 409], {
    description: '409 CATALOG.ALREADY_DISCONTINUED the second time.',
  })
  @Post(':id/discontinue')
  @HttpCode(202)
  @Roles('admin')
  async discontinue(
    @Param('id') id: string,
    @Body() body: DiscontinueProductRequestDto,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandAcceptedResponseDto> {
    const result = await this.commandBus.execute(
      new DiscontinueProductCommand(
        requireProductIdShape(id),
        body.reason ?? null,
        body.version,
        correlationId,
      ),
    );
    return accepted(res, result);
  }
}
