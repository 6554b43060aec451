/**
 * Read-your-writes for the product queries (same protocol as the order queries). A catalog command
 * answers `consistencyToken: "<productId>@<version>"`; a product query that sends it back in
 * `X-Consistency-Token` waits (bounded by READ_YOUR_WRITES_TIMEOUT_MS, default 2000) until
 * `product_catalog` has applied every version of that product up to it
 * (`lastSyncedFrom.appliedThrough >= version`), then reads the read model directly, not the cache
 * (the projection invalidates the cache just after its write, so the cache may lag the database by
 * that moment). `X-Consistency` on the response: `fresh`, `stale` (timed out; served anyway from
 * the older state) or `not-applicable` (the token names something other than a product). No token:
 * no wait, cache as usual, no header. A malformed token is a 400.
 */
import { Inject, Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Request, Response } from 'express';
import type { Connection } from 'mongoose';
import type { AppConfig } from '../../../config/env.js';
import { APP_CONFIG } from '../../../shared/config.module.js';
import { AppError } from '../../../shared/errors/app-error.js';
import { READ_CONNECTION } from '../../../shared/persistence/connections.js';
import { productCatalog } from './product.response.dto.js';

export const CONSISTENCY_TOKEN_HEADER = 'x-consistency-token';
export const CONSISTENCY_HEADER = 'X-Consistency';
const TOKEN = /^([A-Za-z0-9_-]{1,100})@([1-9][0-9]{0,9})$/;

export type Consistency = 'fresh' | 'stale' | 'not-applicable';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

@Injectable()
export class ProductReadYourWrites {
  constructor(
    @InjectConnection(READ_CONNECTION) private readonly connection: Connection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Waits for the request's token (if any) and sets `X-Consistency`. Returns true when the query
   * must bypass the cache (a token was given).
   */
  async forRequest(req: Request, res: Response): Promise<boolean> {
    const header = req.headers[CONSISTENCY_TOKEN_HEADER];
    const token = Array.isArray(header) ? header[0] : header;
    if (token === undefined || token === '') return false;
    const result = await this.await(token);
    res.setHeader(CONSISTENCY_HEADER, result);
    return true;
  }

  async await(token: string): Promise<Consistency> {
    const m = TOKEN.exec(token.trim());
    if (!m) {
      throw new AppError('REQUEST.VALIDATION_FAILED', 400, 'Validation failed for X-Consistency-Token', [
        {
          field: 'X-Consistency-Token',
          errors: ['X-Consistency-Token must look like <aggregateId>@<version>'],
        },
      ]);
    }
    const [, productId, v] = m;
    if (!productId.startsWith('prd_')) return 'not-applicable';
    const version = Number(v);
    const deadline = Date.now() + this.config.readYourWritesTimeoutMs;
    let delay = 20;
    for (;;) {
      const doc = await productCatalog(this.connection).findOne(
        { _id: productId },
        { projection: { 'lastSyncedFrom.appliedThrough': 1 } },
      );
      if ((doc?.lastSyncedFrom?.appliedThrough ?? 0) >= version) return 'fresh';
      const left = deadline - Date.now();
      if (left <= 0) return 'stale';
      await sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, 100);
    }
  }
}
