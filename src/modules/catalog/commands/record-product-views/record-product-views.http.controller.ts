import { Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { productLocation, requireProductIdShape } from '../command-accepted.response.dto.js';
import { ProductViewBuffer } from './product-view.buffer.js';

@Controller('api/products')
export class RecordProductViewsHttpController {
  constructor(private readonly buffer: ProductViewBuffer) {}

  /**
   * Any authenticated caller: counts one view of the product. Buffered (see ProductViewBuffer), so
   * the 202 carries no version: `{ id, buffered: true }`; the count reaches the write model at the
   * next flush (within VIEW_FLUSH_INTERVAL_MS).
   */
  @Post(':id/views')
  @HttpCode(202)
  async view(
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ id: string; buffered: true }> {
    await this.buffer.record(requireProductIdShape(id));
    res.setHeader('Location', productLocation(id));
    return { id, buffered: true };
  }
}
