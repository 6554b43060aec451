/**
 * GET /metrics — Prometheus text format. Protected like the admin API: a bearer token with the
 * admin role (Prometheus: `authorization: { type: Bearer, credentials_file: ... }`), because the
 * figures (lease holders, command names, volumes) are operational detail not meant for customers.
 */
import { Controller, Get, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles } from '../auth/auth.decorators.js';
import { ApiErrors } from '../http/api-docs.js';
import { MetricsService } from './metrics.service.js';

@ApiTags('operations')
@ApiBearerAuth('bearer')
@Controller('metrics')
@Roles('admin')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @ApiOperation({ summary: 'Prometheus metrics (text exposition format 0.0.4); admin token' })
  @ApiOkResponse({ description: 'The metrics', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiErrors(401, 403)
  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.scrape();
    res.setHeader('Content-Type', contentType);
    res.status(200).send(body);
  }
}
