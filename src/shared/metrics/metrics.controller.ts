/**
 * GET /metrics — Prometheus text format. Protected like the admin API: a bearer token with the
 * admin role (Prometheus: `authorization: { type: Bearer, credentials_file: ... }`), because the
 * figures (lease holders, command names, volumes) are operational detail not meant for customers.
 */
import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Roles } from '../auth/auth.decorators.js';
import { MetricsService } from './metrics.service.js';

@Controller('metrics')
@Roles('admin')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.scrape();
    res.setHeader('Content-Type', contentType);
    res.status(200).send(body);
  }
}
