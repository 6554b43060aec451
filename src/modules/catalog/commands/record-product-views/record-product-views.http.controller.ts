import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { productLocation, requireProductIdShape } from '../command-accepted.response.dto.js';
import { ProductViewBuffer } from './product-view.buffer.js';
import { ApiCommand } from '../../../../shared/http/api-docs.js';

/** The 202 body of a recorded view: buffered, so no version. */
export class ProductViewRecordedDto {
  @ApiProperty({ description: 'The product' })
  id!: string;

  @ApiProperty({ enum: [true], description: 'Always true: the view is counted at the next flush' })
  buffered!: true;
}

@ApiTags('catalog')
@ApiBearerAuth('bearer')
@Controller('api/products')
export class RecordProductViewsHttpController {
  constructor(private readonly buffer: ProductViewBuffer) {}

  /**
   * Any authenticated caller: counts one view of the product. Buffered (see ProductViewBuffer), so
   * the 202 carries no version: `{ id, buffered: true }`; the count reaches the write model at the
   * next flush (within VIEW_FLUSH_INTERVAL_MS).
   */
  @ApiCommand('Count one view of a product', [404], {
    type: ProductViewRecordedDto,
    body: false,
    description: 'Buffered: the 202 carries no version; the count reaches the write model at the next flush.',
  })
  @Post(':id/views')
  @HttpCode(202)
  async view(
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ProductViewRecordedDto> {
    await this.buffer.record(requireProductIdShape(id));
    res.setHeader('Location', productLocation(id));
    return { id, buffered: true };
  }
}
