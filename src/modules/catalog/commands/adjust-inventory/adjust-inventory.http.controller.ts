import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import type { InventoryChange } from '../../domain/product.aggregate.js';
import {
  accepted,
  requireProductIdShape,
  type CommandAcceptedResponseDto,
} from '../command-accepted.response.dto.js';
import { CorrelationId } from '../../../../shared/http/correlation-id.js';
import { AdjustInventoryCommand } from './adjust-inventory.command.js';
import { AdjustInventoryRequestDto } from './adjust-inventory.request.dto.js';
import { ApiCommand } from '../../../../shared/http/api-docs.js';

@ApiTags('catalog')
@ApiBearerAuth('bearer')
@Controller('api/products')
export class AdjustInventoryHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  /** Admin: `{ delta }` or `{ set }`. 409 CATALOG.INSUFFICIENT_STOCK when available would go below 0. */
  @ApiCommand('Adjust inventory by `delta` or `set` (admin)', [400, 403, 404, 409], {
    description: '409 CATALOG.INSUFFICIENT_STOCK when available stock would go below 0.',
  })
  @Post(':id/inventory')
  @HttpCode(202)
  @Roles('admin')
  async adjust(
    @Param('id') id: string,
    @Body() body: AdjustInventoryRequestDto,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandAcceptedResponseDto> {
    const change: InventoryChange =
      body.set !== undefined ? { set: body.set } : { delta: body.delta as number };
    const result = await this.commandBus.execute(
      new AdjustInventoryCommand(
        requireProductIdShape(id),
        change,
        body.reason ?? null,
        body.version,
        correlationId,
      ),
    );
    return accepted(res, result);
  }
}
