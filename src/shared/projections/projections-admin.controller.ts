import { ApiAcceptedResponse, ApiBearerAuth, ApiTags } from '@nestjs/swagger';
/**
 * Admin HTTP API of the projection runtime (admin only):
 *   GET  /api/admin/projections                       status of every projection
 *   GET  /api/admin/projections/:name                 status of one
 *   POST /api/admin/projections/:name/rebuild         start a rebuild (202 + progress; ?wait=true: 200 when done)
 *   GET  /api/admin/projections/:name/rebuild         rebuild progress
 *   POST /api/admin/projections/verify[?name=]        start a verify job (202 + Location; ?wait=true: 200 with the reports)
 *   GET  /api/admin/projections/verify/:jobId         the job: progress, then the reports (0 differences = in sync)
 *   GET  /api/admin/projections/dead-letters[?projection=&status=dead|resolved|discarded]
 *   POST /api/admin/projections/dead-letters/:id/retry
 *   POST /api/admin/projections/dead-letters/:id/discard
 */
import { Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Roles } from '../auth/auth.decorators.js';
import { badRequest } from '../errors/app-error.js';
import type { DeadLetter, DeadLetterStatus } from './projection-failures.js';
import type { RebuildProgress, VerifyReport } from './projection-rebuilder.js';
import {
  DEAD_LETTER_SCHEMA,
  PROJECTION_STATUS_SCHEMA,
  REBUILD_PROGRESS_SCHEMA,
  VERIFY_JOB_SCHEMA,
  VERIFY_REPORT_SCHEMA,
} from './projections-admin.schema.js';
import { arrayOf, nullable } from '../http/openapi-schema.js';
import { ProjectionsService, type ProjectionStatus, type VerifyJob } from './projections.service.js';
import { ApiRead } from '../http/api-docs.js';

const STATUSES: readonly DeadLetterStatus[] = ['dead', 'resolved', 'discarded'];

@ApiTags('admin: projections')
@ApiBearerAuth('bearer')
@Controller('api/admin/projections')
@Roles('admin')
export class ProjectionsAdminController {
  constructor(private readonly projections: ProjectionsService) {}

  @ApiRead('Status of every projection', [401, 403], { schema: arrayOf(PROJECTION_STATUS_SCHEMA) })
  @Get()
  status(): Promise<ProjectionStatus[]> {
    return this.projections.status();
  }

  @ApiRead('List dead letters', [400, 401, 403], {
    description: '`?projection=` and `?status=dead|resolved|discarded` filter.',
    schema: arrayOf(DEAD_LETTER_SCHEMA),
  })
  @Get('dead-letters')
  deadLetters(
    @Query('projection') projection?: string,
    @Query('status') status?: string,
  ): Promise<DeadLetter[]> {
    if (status !== undefined && !STATUSES.includes(status as DeadLetterStatus)) {
      throw badRequest('PROJECTIONS.BAD_STATUS', `status must be one of ${STATUSES.join(', ')}`);
    }
    return this.projections.listDeadLetters({
      ...(projection ? { projection } : {}),
      ...(status ? { status: status as DeadLetterStatus } : {}),
    });
  }

  @ApiRead('Retry a dead letter', [401, 403, 404], { schema: DEAD_LETTER_SCHEMA })
  @Post('dead-letters/:id/retry')
  @HttpCode(200)
  retry(@Param('id') id: string): Promise<DeadLetter> {
    return this.projections.retryDeadLetter(id);
  }

  @ApiRead('Discard a dead letter', [401, 403, 404], { schema: DEAD_LETTER_SCHEMA })
  @Post('dead-letters/:id/discard')
  @HttpCode(200)
  discard(@Param('id') id: string): Promise<DeadLetter> {
    return this.projections.discardDeadLetter(id);
  }

  @ApiRead('Verify read models against the write model', [401, 403, 404, 409], {
    description:
      'Starts a verify job: 202 with the job and `Location: /api/admin/projections/verify/<jobId>` (poll it ' +
      'until `status` is `completed` or `failed`). `?name=` limits it to one projection; `?wait=true` answers ' +
      '200 with the reports when done instead. 0 differences = in sync. 409 PROJECTIONS.VERIFY_RUNNING while ' +
      'one runs.',
    schema: arrayOf(VERIFY_REPORT_SCHEMA),
  })
  @ApiAcceptedResponse({ description: 'Verify job started (without ?wait=true)', schema: VERIFY_JOB_SCHEMA })
  @Post('verify')
  async verify(
    @Query('name') name: string | undefined,
    @Query('wait') wait: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<VerifyReport[] | VerifyJob> {
    if (wait === 'true') {
      res.status(200);
      return this.projections.verify(name || undefined);
    }
    const job = await this.projections.startVerify(name || undefined);
    res.status(202).location(`/api/admin/projections/verify/${job.jobId}`);
    return job;
  }

  @ApiRead('A verify job: its progress, then its reports', [401, 403, 404], { schema: VERIFY_JOB_SCHEMA })
  @Get('verify/:jobId')
  verifyJob(@Param('jobId') jobId: string): VerifyJob {
    return this.projections.verifyJob(jobId);
  }

  @ApiRead('Status of one projection', [401, 403, 404], { schema: PROJECTION_STATUS_SCHEMA })
  @Get(':name')
  async one(@Param('name') name: string): Promise<ProjectionStatus> {
    const [s] = await this.projections.status(name);
    return s!;
  }

  @ApiRead('Start a rebuild', [401, 403, 404, 409], {
    description: '202 with the progress; `?wait=true` answers 200 when done.',
    schema: REBUILD_PROGRESS_SCHEMA,
  })
  @ApiAcceptedResponse({
    description: 'Rebuild started (without ?wait=true)',
    schema: REBUILD_PROGRESS_SCHEMA,
  })
  @Post(':name/rebuild')
  async rebuild(
    @Param('name') name: string,
    @Query('wait') wait: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RebuildProgress | null> {
    const { done } = await this.projections.startRebuild(name);
    if (wait === 'true') {
      res.status(200);
      return done;
    }
    res.status(202);
    return this.projections.rebuildProgress(name);
  }

  @ApiRead('Rebuild progress', [401, 403, 404], { schema: nullable(REBUILD_PROGRESS_SCHEMA) })
  @Get(':name/rebuild')
  progress(@Param('name') name: string): RebuildProgress | null {
    return this.projections.rebuildProgress(name);
  }
}
