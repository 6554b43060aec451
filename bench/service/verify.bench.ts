/**
 * `verify` of `orders_read` on the rebuild's data (100k orders after the rebuild): the service is
 * started on that data directory with PROJECTION_RESYNC=false (so it does not catch up the other
 * projections, whose checkpoints are before the generated orders, while the verify runs), and the
 * verify runs over HTTP (verify-client.ts: today's 200 with the reports, or the job API), timed
 * from the POST to the reports. The time box, when set, is the rebuild's (BENCH_REBUILD_BOX_S).
 */
import { startService, type ServiceOptions } from './service.js';
import { verifyProjections, type VerifyOutcome } from './verify-client.js';

export interface VerifyFigures extends VerifyOutcome {
  projection: string;
  /** Events of the log replayed (from the report), when completed. */
  events: number | null;
  differences: number | null;
}

export async function benchVerify(
  options: ServiceOptions,
  boxSeconds: number | null,
  log: (line: string) => void,
): Promise<VerifyFigures> {
  const projection = 'orders_read';
  log(`verify: starting the service on the rebuild's data (PROJECTION_RESYNC=false) ...`);
  const svc = await startService({ ...options, env: { ...options.env, PROJECTION_RESYNC: 'false' } }, log);
  try {
    log(
      `verify: POST /api/admin/projections/verify?name=${projection}${boxSeconds !== null ? ` (box ${boxSeconds} s)` : ''} ...`,
    );
    const outcome = await verifyProjections(svc.origin, svc.adminToken, {
      name: projection,
      boxSeconds,
      log,
    });
    const report = outcome.reports?.find((r) => r.projection === projection);
    const figures: VerifyFigures = {
      ...outcome,
      projection,
      events: report?.events ?? null,
      differences: report?.differences ?? null,
    };
    log(
      `  verify (${outcome.shape} API): ${outcome.status} in ${outcome.seconds.toFixed(1)} s` +
        (report ? `, ${report.events ?? '?'} events, ${report.differences} differences` : '') +
        (outcome.error ? `: ${outcome.error}` : ''),
    );
    return figures;
  } finally {
    await svc.child.stop(60_000);
  }
}
