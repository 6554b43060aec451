/**
 * Read-your-writes for the order queries. A command answers `consistencyToken:
 * "<aggregateId>@<version>"`; a query that sends it back in `X-Consistency-Token` waits (bounded by
 * READ_YOUR_WRITES_TIMEOUT_MS, default 2000) until `orders_read` reflects that order version
 * (`lastSyncedFrom.writeModelVersion >= version`, i.e. every version up to it is applied), then
 * runs; the summary query waits for the order's fact in `orders_summary_facts` instead. The response says what it got in `X-Consistency`:
 * - `fresh`: the read model had reached the token's version;
 * - `stale`: it had not within the timeout; the response is served anyway, from the older state;
 * - `not-applicable`: the token names an aggregate that is not an order (a customer or product
 *   command's token); nothing is waited for.
 * Without the header a query never waits and no `X-Consistency` header is sent. A malformed token
 * is a 400. Waiting polls the read model (one indexed `_id` lookup every 20 ms, backing off to
 * 100 ms), so it costs nothing for requests without a token.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AppConfig } from '../../../config/env.js';
import { APP_CONFIG } from '../../../shared/config.module.js';
import type { AuthenticatedRequest } from '../../../shared/auth/auth.decorators.js';
import { AppError } from '../../../shared/errors/app-error.js';
import { OrdersReadRepository } from './orders-read.repository.js';

export const CONSISTENCY_TOKEN_HEADER = 'x-consistency-token';
export const CONSISTENCY_HEADER = 'X-Consistency';

const TOKEN = /^([A-Za-z0-9_-]{1,100})@([1-9][0-9]{0,9})$/;

/** Which read model the query reads (the summary waits for the order's summary fact). */
export type ReadModel = 'orders_read' | 'orders_summary';

export type Consistency = 'fresh' | 'stale' | 'not-applicable';

export function parseConsistencyToken(raw: string): { aggregateId: string; version: number } {
  const m = TOKEN.exec(raw.trim());
  if (!m)
    throw new AppError('REQUEST.VALIDATION_FAILED', 400, 'Validation failed for X-Consistency-Token', [
      {
        field: 'X-Consistency-Token',
        errors: ['X-Consistency-Token must look like <aggregateId>@<version>'],
      },
    ]);
  return { aggregateId: m[1], version: Number(m[2]) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

@Injectable()
export class ReadYourWrites {
  constructor(
    private readonly repo: OrdersReadRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Waits for the token's order version; null when the request has no token. */
  /**
   * `viewer` (a customer id) limits the wait to that customer's orders: another customer's order is
   * treated like one that does not exist (`stale` after the timeout), so the header cannot tell
   * a customer whether someone else's order exists or how far it has moved.
   */
  async await(
    token: string | undefined,
    model: ReadModel = 'orders_read',
    viewer?: string,
  ): Promise<Consistency | null> {
    if (token === undefined || token === '') return null;
    const { aggregateId, version } = parseConsistencyToken(token);
    if (!aggregateId.startsWith('ord_')) return 'not-applicable';
    const deadline = Date.now() + this.config.readYourWritesTimeoutMs;
    let delay = 20;
    for (;;) {
      if (await this.reflects(model, aggregateId, version, viewer)) return 'fresh';
      const left = deadline - Date.now();
      if (left <= 0) return 'stale';
      await sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, 100);
    }
  }

  private async reflects(
    model: ReadModel,
    orderId: string,
    version: number,
    viewer: string | undefined,
  ): Promise<boolean> {
    if (model === 'orders_summary') return this.repo.summaryReflects(orderId, version);
    return (await this.repo.orderVersion(orderId, viewer)) >= version;
  }

  /** Waits for the request's token (if any), sets `X-Consistency` on the response and returns it. */
  async forRequest(
    req: Request,
    res: Response,
    model: ReadModel = 'orders_read',
  ): Promise<Consistency | null> {
    const header = req.headers[CONSISTENCY_TOKEN_HEADER];
    const token = Array.isArray(header) ? header[0] : header;
    const principal = (req as AuthenticatedRequest).principal;
    const viewer = principal?.role === 'customer' ? (principal.customerId ?? '') : undefined;
    const result = await this.await(token, model, viewer);
    if (result !== null) res.setHeader(CONSISTENCY_HEADER, result);
    return result;
  }
}
