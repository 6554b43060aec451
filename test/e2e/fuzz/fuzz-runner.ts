/**
 * Sends fuzz requests one at a time and checks the properties of issue #7 on each:
 * - the answer is not 5xx, and there is an answer (unless the request's Content-Length lied upward);
 * - a 4xx that the application produced has the error shape {statusCode, code, message};
 * - a JSON body with a `__proto__`, `constructor` or `prototype` key at any depth is never accepted;
 * - rejected requests change no collection: the databases are fingerprinted per batch of rejected
 *   requests; when a batch changed something, its requests are replayed one by one, fingerprinting
 *   around each, to name the culprit. An accepted request (2xx) may change state: the runner waits
 *   until the databases are quiet again (projections, view flushes), takes a new baseline, and
 *   verifies the rejected requests of the interrupted batch by replaying them.
 */
import type { MongoClient } from 'mongodb';
import { changedCollections, fingerprint, quietFingerprint, type Fingerprint } from './db-fingerprint.js';
import type { FuzzRequest } from './request-arbitraries.js';
import { sendRaw, type RawResponse } from './raw-http.js';

export interface Finding {
  kind: '5xx' | 'no-answer' | 'error-shape' | 'state-change' | 'prototype-key';
  op: string;
  status: number;
  detail: string;
  request: string;
}

export interface OperationStats {
  tried: number;
  statuses: Record<number, number>;
}

const BATCH_SIZE = 25;
const ANSWER_TIMEOUT_MS = 60_000;
const NO_ANSWER_OK_TIMEOUT_MS = 800;

/** A short, printable description of a request (bodies cut to 300 characters). */
export function describe(req: FuzzRequest): string {
  const body = req.raw.body?.toString('utf8') ?? '';
  const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}...(${s.length} chars)` : s);
  return JSON.stringify({
    kinds: req.kinds,
    method: req.raw.method,
    target: cut(req.raw.target, 300),
    headers: req.raw.headers.map(([k, v]) => `${k}: ${cut(v, 80)}`),
    contentLength: req.raw.contentLengthOverride,
    body: cut(body, 300),
  });
}

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

/** Whether the request sends JSON holding a prototype key at any depth (JSON.parse's reviver sees every key). */
export function sendsPrototypeKey(req: FuzzRequest): boolean {
  const type = req.raw.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  if (
    !req.raw.body ||
    req.raw.contentLengthOverride !== undefined ||
    !/^application\/json\s*(;|$)/i.test(type)
  )
    return false;
  let found = false;
  try {
    JSON.parse(req.raw.body.toString('utf8'), (key: string, value: unknown) => {
      if (PROTOTYPE_KEYS.includes(key)) found = true;
      return value;
    });
  } catch {
    return false;
  }
  return found;
}

export class FuzzRunner {
  readonly findings: Finding[] = [];
  readonly stats = new Map<string, OperationStats>();
  /** 4xx answers of node's HTTP parser (no body, no X-Request-Id: the application never saw them). */
  bareErrors = 0;
  accepted = 0;
  fingerprints = 0;
  /** The state after the last verified request, carried from one run() to the next. */
  private baseline?: Fingerprint;

  constructor(
    private readonly port: number,
    private readonly client: MongoClient,
    private readonly dbNames: readonly string[],
    /** Whether a background job an accepted request started (a projection rebuild) still runs. */
    private readonly backgroundBusy: () => Promise<boolean> = () => Promise.resolve(false),
  ) {}

  private async fp(): Promise<Fingerprint> {
    this.fingerprints++;
    return fingerprint(this.client, this.dbNames);
  }

  /**
   * Waits until background jobs are done and the databases are quiet (projections, view flushes),
   * then fingerprints them.
   */
  async settle(): Promise<Fingerprint> {
    for (let i = 0; i < 600 && (await this.backgroundBusy()); i++)
      await new Promise((r) => setTimeout(r, 100));
    this.fingerprints++;
    return quietFingerprint(this.client, this.dbNames);
  }

  private async send(req: FuzzRequest): Promise<RawResponse> {
    return sendRaw(this.port, req.raw, req.mayNotAnswer ? NO_ANSWER_OK_TIMEOUT_MS : ANSWER_TIMEOUT_MS);
  }

  private record(req: FuzzRequest, res: RawResponse): void {
    const s = this.stats.get(req.op) ?? { tried: 0, statuses: {} };
    s.tried++;
    s.statuses[res.status] = (s.statuses[res.status] ?? 0) + 1;
    this.stats.set(req.op, s);
    const finding = (kind: Finding['kind'], detail: string): void => {
      this.findings.push({ kind, op: req.op, status: res.status, detail, request: describe(req) });
    };
    if (res.status >= 500) finding('5xx', res.body.slice(0, 300));
    if (res.status === 0 && !req.mayNotAnswer) finding('no-answer', 'no status line before the timeout');
    if (res.status >= 200 && res.status < 400 && sendsPrototypeKey(req))
      finding('prototype-key', 'a JSON body with a __proto__, constructor or prototype key was accepted');
    if (res.status >= 400 && res.status < 500) {
      // Node's HTTP parser answers a request it cannot parse (431, 400) before the application
      // sees it: no body and none of the application's headers. Everything else needs the shape.
      if (res.body === '' && res.headers['x-request-id'] === undefined) {
        this.bareErrors++;
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(res.body);
      } catch {
        body = undefined;
      }
      const b = body as { statusCode?: unknown; code?: unknown; message?: unknown } | undefined;
      if (!b || b.statusCode !== res.status || typeof b.code !== 'string' || typeof b.message !== 'string')
        finding('error-shape', res.body.slice(0, 300));
    }
  }

  /** Runs the requests of one operation, checking every property. */
  async run(requests: readonly FuzzRequest[]): Promise<void> {
    let baseline = this.baseline ?? (await this.settle());
    let batch: FuzzRequest[] = [];
    for (const req of requests) {
      const res = await this.send(req);
      this.record(req, res);
      // A rejected request, or a read: neither may change any collection.
      if (res.status >= 400 || res.status === 0 || req.raw.method === 'GET') {
        batch.push(req);
      } else {
        this.accepted++;
        baseline = await this.settle();
        if (batch.length) baseline = await this.verifyByReplay(batch, baseline);
        batch = [];
      }
      if (batch.length >= BATCH_SIZE) {
        baseline = await this.checkBatch(batch, baseline);
        batch = [];
      }
    }
    this.baseline = batch.length ? await this.checkBatch(batch, baseline) : baseline;
  }

  private async checkBatch(batch: FuzzRequest[], baseline: Fingerprint): Promise<Fingerprint> {
    const quick = await this.fp();
    if (changedCollections(baseline, quick).length === 0) return quick;
    const now = await this.settle();
    const changed = changedCollections(baseline, now);
    if (changed.length === 0) return now;
    return this.bisect(batch, now, changed);
  }

  /** Replays rejected requests as one batch; bisects when the batch changes anything. */
  private async verifyByReplay(batch: FuzzRequest[], baseline: Fingerprint): Promise<Fingerprint> {
    const accepted: FuzzRequest[] = [];
    for (const req of batch) {
      const res = await this.send(req);
      if (res.status < 400 && res.status !== 0 && req.raw.method !== 'GET') accepted.push(req);
    }
    const now = await this.settle();
    const changed = changedCollections(baseline, now);
    if (changed.length === 0) return now;
    if (accepted.length) return now; // the state moved on since the first attempt: not a finding
    return this.bisect(batch, now, changed);
  }

  /** Replays each request alone, fingerprinting around it, and reports those that change state. */
  private async bisect(
    batch: FuzzRequest[],
    start: Fingerprint,
    changedInBatch: string[],
  ): Promise<Fingerprint> {
    let before = start;
    let found = false;
    for (const req of batch) {
      const res = await this.send(req);
      const after = await this.settle();
      const changed = changedCollections(before, after);
      if (changed.length && (res.status >= 400 || res.status === 0 || req.raw.method === 'GET')) {
        found = true;
        this.findings.push({
          kind: 'state-change',
          op: req.op,
          status: res.status,
          detail: `changed ${changed.join(', ')}`,
          request: describe(req),
        });
      }
      before = after;
    }
    if (!found)
      this.findings.push({
        kind: 'state-change',
        op: batch[0]?.op ?? '?',
        status: 0,
        detail: `a batch of rejected requests changed ${changedInBatch.join(', ')}, but no single replay did`,
        request: batch.map(describe).join('\n'),
      });
    return before;
  }
}
