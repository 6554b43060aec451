/**
 * Client of `POST /api/admin/projections/verify[?name=]`, for both shapes of the API:
 *  - today's: 200 with the reports array, the request held until the verify is done;
 *  - the job: 202 with `{ jobId, status: 'running', ... }` and a Location header
 *    `/api/admin/projections/verify/<jobId>`; `GET` on it answers the job (`status` 'running' |
 *    'completed' | 'failed', `progress`, and `reports` once completed), polled every 250 ms.
 * Either way the result says which shape answered, how long it took, and the reports; with a time
 * box the wait ends at the box (a job is then left running: the caller stops the service).
 */

export interface VerifyReportLike {
  projection: string;
  differences: number;
  events?: number;
}

export interface VerifyOutcome {
  shape: 'sync' | 'job';
  /** completed: reports present; failed: the job said so; timeout: the box ended the wait. */
  status: 'completed' | 'failed' | 'timeout';
  seconds: number;
  reports: VerifyReportLike[] | null;
  /** The job's last `progress` (job shape only). */
  progress: unknown;
  error?: string;
}

interface Job {
  jobId?: string;
  status?: string;
  progress?: unknown;
  reports?: VerifyReportLike[];
  error?: unknown;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function progressText(progress: unknown): string {
  if (progress && typeof progress === 'object') {
    const p = progress as Record<string, unknown>;
    if (typeof p.processed === 'number' && typeof p.total === 'number')
      return `${String(p.phase ?? '')} ${p.processed} / ${p.total}`.trim();
  }
  return JSON.stringify(progress ?? null).slice(0, 200);
}

export async function verifyProjections(
  origin: string,
  adminToken: string,
  opts: { name?: string; boxSeconds?: number | null; log?: (line: string) => void },
): Promise<VerifyOutcome> {
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  const box = opts.boxSeconds ?? null;
  const deadline = box === null ? Infinity : Date.now() + box * 1000;
  const headers = { authorization: `Bearer ${adminToken}` };
  const query = opts.name ? `?name=${encodeURIComponent(opts.name)}` : '';
  let res: Response;
  // Today's API holds the request until done: a line every 30 s meanwhile.
  const waiting = opts.log
    ? setInterval(() => opts.log?.(`  verify: ${seconds().toFixed(0)} s, waiting for the answer`), 30_000)
    : undefined;
  try {
    res = await fetch(`${origin}/api/admin/projections/verify${query}`, {
      method: 'POST',
      headers,
      ...(box !== null ? { signal: AbortSignal.timeout(box * 1000) } : {}),
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'TimeoutError')
      return { shape: 'sync', status: 'timeout', seconds: seconds(), reports: null, progress: null };
    throw e;
  } finally {
    clearInterval(waiting);
  }
  const body: unknown = await res.json();
  if (res.status === 200 && Array.isArray(body))
    return {
      shape: 'sync',
      status: 'completed',
      seconds: seconds(),
      reports: body as VerifyReportLike[],
      progress: null,
    };
  if (res.status !== 202)
    throw new Error(
      `POST /api/admin/projections/verify answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`,
    );
  let job = body as Job;
  const location =
    res.headers.get('location') ?? (job.jobId ? `/api/admin/projections/verify/${job.jobId}` : null);
  if (!location) throw new Error(`verify answered 202 without a Location or jobId: ${JSON.stringify(body)}`);
  const url = new URL(location, origin).toString();
  let nextReport = Date.now() + 10_000;
  while (job.status !== 'completed' && job.status !== 'failed') {
    if (Date.now() >= deadline)
      return {
        shape: 'job',
        status: 'timeout',
        seconds: seconds(),
        reports: null,
        progress: job.progress ?? null,
      };
    await sleep(250);
    const poll = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
    const text = await poll.text();
    if (poll.status !== 200)
      throw new Error(`GET ${location} answered ${poll.status}: ${text.slice(0, 300)}`);
    job = JSON.parse(text) as Job;
    if (opts.log && Date.now() >= nextReport) {
      nextReport = Date.now() + 10_000;
      opts.log(`  verify: ${seconds().toFixed(0)} s, ${job.status}, progress ${progressText(job.progress)}`);
    }
  }
  if (job.status === 'completed')
    return {
      shape: 'job',
      status: 'completed',
      seconds: seconds(),
      reports: job.reports ?? [],
      progress: job.progress ?? null,
    };
  return {
    shape: 'job',
    status: 'failed',
    seconds: seconds(),
    reports: job.reports ?? null,
    progress: job.progress ?? null,
    error: JSON.stringify(job.error ?? job).slice(0, 500),
  };
}
