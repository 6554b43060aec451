/**
 * Idempotency-Key for every POST/PUT/PATCH/DELETE (global interceptor; runs after the auth guard,
 * before validation and the handler).
 *
 * - The first request with a key inserts `{ _id, state: 'pending' }` into `idempotency_keys`; the
 *   unique `_id` is the lock, so of any number of concurrent repeats exactly one executes.
 * - When it ends, its response is stored: success (status, body, Location) and 4xx errors are
 *   replayed to every repeat (header `Idempotent-Replayed: true`); a 5xx or unexpected error
 *   deletes the key, so a retry executes again.
 * - A repeat that finds the key pending waits for the stored response (polling, at most
 *   `idempotencyWaitMs`, then 409 IDEMPOTENCY.IN_PROGRESS).
 * - The same key with another method, path, body or caller: 422 IDEMPOTENCY.KEY_REUSED.
 * - The holder renews a lease on the key while it runs. A pending key whose lease ran out belongs
 *   to a process that died mid-request: a repeat takes the key over and runs the request again.
 *   That never executes a command twice: the command's transaction records the key
 *   (idempotent-execution.ts), so if the first holder committed, the repeat's UnitOfWork answers
 *   the stored result instead of running it; if it did not, nothing of it was written.
 * - Keys are scoped per principal and expire `idempotencyTtlSeconds` after the response (TTL
 *   index; an expired key that the TTL monitor has not swept yet counts as absent).
 * - Every command, keyed or not, first passes the admission (load shedding, command-admission.ts):
 *   one refused there gets 503 before any key is claimed.
 */
import {
  Inject,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { defer, from, lastValueFrom, type Observable } from 'rxjs';
import type { AppConfig } from '../../config/env.js';
import type { AuthenticatedRequest } from '../auth/auth.decorators.js';
import { APP_CONFIG } from '../config.module.js';
import { AppError, conflict, unprocessable } from '../errors/app-error.js';
import { toErrorBody, type ErrorBody } from '../errors/http-exception.filter.js';
import { CommandAdmission } from '../overload/command-admission.js';
import { IdempotencyKeyRepository } from './idempotency-key.repository.js';
import { runWithIdempotentExecution } from './idempotent-execution.js';
import type { IdempotencyKeyDoc, StoredResponse } from './idempotency-key.schema.js';
import {
  IDEMPOTENCY_HEADER,
  IDEMPOTENT_METHODS,
  keyDocumentId,
  parseIdempotencyKey,
  principalScope,
  REPLAYED_HEADER,
  requestFingerprint,
} from './request-fingerprint.js';

const FIRST_POLL_MS = 20;
const MAX_POLL_MS = 250;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface KeyedRequest {
  id: string;
  scope: string;
  key: string;
  fingerprint: string;
  method: string;
  path: string;
}

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');

  constructor(
    private readonly keys: IdempotencyKeyRepository,
    private readonly reflector: Reflector,
    private readonly admission: CommandAdmission,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!IDEMPOTENT_METHODS.has(req.method)) return next.handle();
    const key = parseIdempotencyKey(req.headers[IDEMPOTENCY_HEADER]);
    return from(
      this.admission.run(() => lastValueFrom(this.keyed(ctx, next, req, key), { defaultValue: undefined })),
    );
  }

  private keyed(
    ctx: ExecutionContext,
    next: CallHandler,
    req: AuthenticatedRequest,
    key: string | undefined,
  ): Observable<unknown> {
    if (key === undefined) return next.handle();
    const scope = principalScope(req.principal);
    const path = req.originalUrl;
    const keyed: KeyedRequest = {
      id: keyDocumentId(scope, key),
      scope,
      key,
      method: req.method,
      path,
      fingerprint: requestFingerprint({ method: req.method, path, body: req.body, scope }),
    };
    const res = ctx.switchToHttp().getResponse<Response>();
    return defer(() => this.handle(keyed, ctx, next, res));
  }

  private async handle(
    keyed: KeyedRequest,
    ctx: ExecutionContext,
    next: CallHandler,
    res: Response,
  ): Promise<unknown> {
    const deadline = Date.now() + this.config.idempotencyWaitMs;
    let pollMs = FIRST_POLL_MS;
    for (;;) {
      const now = new Date();
      const owner = randomUUID();
      const pending = this.pendingDocument(keyed, owner, now);
      if (await this.keys.tryClaim(pending)) return this.execute(keyed, owner, pending, true, ctx, next, res);
      // Another request holds or held the key: follow its document until it has a response, is
      // gone (released after a 5xx, or expired: claim it again), or the wait is over.
      for (;;) {
        const existing = await this.keys.find(keyed.id);
        const at = new Date();
        if (!existing) break;
        if (existing.expiresAt.getTime() <= at.getTime()) {
          await this.keys.deleteIfExpired(keyed.id, at);
          break;
        }
        if (existing.fingerprint !== keyed.fingerprint)
          throw unprocessable(
            'IDEMPOTENCY.KEY_REUSED',
            'This Idempotency-Key was already used for a different request (method, path or body)',
          );
        if (existing.state === 'completed' && existing.response) return this.replay(existing, res);
        if (existing.lockedUntil.getTime() < at.getTime()) {
          const owner = randomUUID();
          const lockedUntil = new Date(at.getTime() + this.config.idempotencyLeaseMs);
          if (await this.keys.takeOver(keyed.id, existing.owner, owner, at, lockedUntil)) {
            this.logger.warn(`idempotency key ${keyed.key}: its holder stopped; taken over`);
            return this.execute(keyed, owner, existing, false, ctx, next, res);
          }
          continue;
        }
        if (Date.now() + pollMs > deadline) throw inProgress();
        await sleep(pollMs);
        pollMs = Math.min(MAX_POLL_MS, Math.ceil(pollMs * 1.5));
      }
      if (Date.now() > deadline) throw inProgress();
    }
  }

  private pendingDocument(keyed: KeyedRequest, owner: string, now: Date): IdempotencyKeyDoc {
    return {
      _id: keyed.id,
      scope: keyed.scope,
      key: keyed.key,
      fingerprint: keyed.fingerprint,
      method: keyed.method,
      path: keyed.path,
      state: 'pending',
      owner,
      lockedUntil: new Date(now.getTime() + this.config.idempotencyLeaseMs),
      response: null,
      createdAt: now,
      completedAt: null,
      expiresAt: this.expiry(now),
    };
  }

  /**
   * Runs the request while holding the key, then stores (or, on 5xx, releases) the outcome. `fresh`:
   * this request inserted the key document (else it took over a dead holder's pending key).
   */
  private async execute(
    keyed: KeyedRequest,
    owner: string,
    claimed: Pick<IdempotencyKeyDoc, 'createdAt' | 'expiresAt'>,
    fresh: boolean,
    ctx: ExecutionContext,
    next: CallHandler,
    res: Response,
  ): Promise<unknown> {
    // The holder's claim lasts idempotencyLeaseMs without renewal; renewed three times per lease.
    const leaseMs = this.config.idempotencyLeaseMs;
    const renew = setInterval(
      () => {
        this.keys
          .renew(keyed.id, owner, new Date(Date.now() + leaseMs))
          .catch((e: unknown) => this.logger.warn(`renewing idempotency key failed: ${String(e)}`));
      },
      Math.floor(leaseMs / 3),
    );
    renew.unref();
    try {
      let body: unknown;
      const run = runWithIdempotentExecution(
        {
          keyId: keyed.id,
          keyCreatedAt: claimed.createdAt,
          expiresAt: claimed.expiresAt,
          owner,
          fingerprint: keyed.fingerprint,
          fresh,
          ttlMs: this.config.idempotencyTtlSeconds * 1000,
        },
        () => lastValueFrom(next.handle(), { defaultValue: undefined }),
      );
      try {
        body = await run.done;
      } catch (e) {
        const error = toErrorBody(e);
        if (error.statusCode < 500) await this.store(keyed, owner, errorResponse(error));
        else await this.release(keyed, owner);
        throw e;
      }
      // The command's transaction stored this response already (respondFromTransaction).
      if (run.execution.completedInTransaction) return body;
      const location = res.getHeader('location');
      await this.store(keyed, owner, {
        status: this.successStatus(ctx, keyed.method),
        body: body === undefined ? null : JSON.stringify(body),
        location: typeof location === 'string' ? location : null,
        error: false,
      });
      return body;
    } finally {
      clearInterval(renew);
    }
  }

  private replay(doc: IdempotencyKeyDoc, res: Response): unknown {
    const response = doc.response as StoredResponse;
    res.setHeader(REPLAYED_HEADER, 'true');
    if (response.location) res.setHeader('Location', response.location);
    const body: unknown = response.body === null ? undefined : JSON.parse(response.body);
    if (response.error) {
      const e = body as ErrorBody;
      throw new AppError(e.code, response.status, e.message, e.details as AppError['details']);
    }
    return body;
  }

  /**
   * The command has run: failing to record its response must not turn its success into an
   * error. The key then stays pending and, once its lease is over, answers OUTCOME_UNKNOWN.
   */
  private async store(keyed: KeyedRequest, owner: string, response: StoredResponse): Promise<void> {
    const now = new Date();
    try {
      const stored = await this.keys.complete(keyed.id, owner, response, now, this.expiry(now));
      if (!stored)
        this.logger.warn(`idempotency key ${keyed.key} was no longer held when its response was stored`);
    } catch (e) {
      this.logger.error(`storing the response for idempotency key ${keyed.key} failed: ${String(e)}`);
    }
  }

  private async release(keyed: KeyedRequest, owner: string): Promise<void> {
    try {
      await this.keys.release(keyed.id, owner);
    } catch (e) {
      this.logger.error(`releasing idempotency key ${keyed.key} failed: ${String(e)}`);
    }
  }

  private successStatus(ctx: ExecutionContext, method: string): number {
    const code = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, ctx.getHandler());
    return code ?? (method === 'POST' ? 201 : 200);
  }

  private expiry(from: Date): Date {
    return new Date(from.getTime() + this.config.idempotencyTtlSeconds * 1000);
  }
}

const inProgress = (): AppError =>
  conflict(
    'IDEMPOTENCY.IN_PROGRESS',
    'A request with this Idempotency-Key is still being processed; retry later',
  );

function errorResponse(error: ErrorBody): StoredResponse {
  return { status: error.statusCode, body: JSON.stringify(error), location: null, error: true };
}
