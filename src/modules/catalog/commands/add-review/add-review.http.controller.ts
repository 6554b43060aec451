import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { CurrentPrincipal, Roles } from '../../../../shared/auth/auth.decorators.js';
import type { Principal } from '../../../../shared/auth/jwt.js';
import {
  accepted,
  requireProductIdShape,
  CommandAcceptedResponseDto,
} from '../command-accepted.response.dto.js';
import { CorrelationId } from '../../../../shared/http/correlation-id.js';
import { AddReviewCommand } from './add-review.command.js';
import { AddReviewRequestDto } from './add-review.request.dto.js';
import { ApiCommand } from '../../../../shared/http/api-docs.js';

/** The 202 body of a review: the product's id/version/consistencyToken and the new review's id. */
export class ReviewAcceptedDto extends CommandAcceptedResponseDto {
  @ApiProperty({ description: 'The new review' })
  reviewId!: string;
}

@ApiTags('catalog')
@ApiBearerAuth('bearer')
@Controller('api/products')
export class AddReviewHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  /**
   * Customer (the token's customer): 403 CATALOG.NOT_PURCHASED unless one of their orders with the
   * product was delivered; 409 CATALOG.ALREADY_REVIEWED the second time. The body of the 202 also
   * names the new review (`reviewId`); `id`/`version` are the product's.
   */
  @ApiCommand('Review a product (customer)', [400, 403, 404, 409], {
    type: ReviewAcceptedDto,
    description:
      "403 CATALOG.NOT_PURCHASED unless one of the customer's delivered orders has the product; 409 CATALOG.ALREADY_REVIEWED the second time. `id`/`version` are the product's, `reviewId` the new review.",
  })
  @Post(':id/reviews')
  @HttpCode(202)
  @Roles('customer')
  async addReview(
    @Param('id') id: string,
    @Body() body: AddReviewRequestDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ReviewAcceptedDto> {
    const result = await this.commandBus.execute(
      new AddReviewCommand(
        requireProductIdShape(id),
        principal.customerId as string,
        { rating: body.rating, title: body.title, body: body.body },
        correlationId,
      ),
    );
    return { ...accepted(res, result), reviewId: result.reviewId };
  }
}
