/**
 * Outside a transaction a write never reports WriteConflict: when a command's write meets a
 * document an open transaction holds (its unit rolled the command's writes back), it waits for a
 * release and runs again from scratch, as mongod retries write conflicts internally. The wait is
 * bounded by the command's maxTimeMS (then MaxTimeMSExpired, 50), else by `defaultLimitMs`
 * (a little past the transaction lifetime limit, after which the holder is gone anyway).
 */
import type { Document } from '../bson.js';
import { ErrorCodes, MongoCommandError, mongoError } from '../errors.js';
import { numberValueOf } from '../values/types.js';
import type { ReleaseSignal } from './release-signal.js';

/** A waiting writer re-checks at least this often. */
const RELEASE_POLL_MS = 100;

export function isWriteConflict(e: unknown): boolean {
  return e instanceof MongoCommandError && e.code === ErrorCodes.WriteConflict;
}

export interface ConflictRetryOptions {
  readonly release: ReleaseSignal;
  /** The command's maxTimeMS field, if any. */
  readonly maxTimeMS: unknown;
  readonly defaultLimitMs: number;
  /** Called after every failed attempt, before deciding to retry (undo what it left behind). */
  readonly onAttemptFailed?: () => void;
}

export async function retryingWriteConflicts(
  attempt: () => Promise<Document>,
  opts: ConflictRetryOptions,
): Promise<Document> {
  const maxTimeMS = numberValueOf(opts.maxTimeMS);
  const limited = maxTimeMS !== undefined && maxTimeMS > 0;
  const deadline = Date.now() + (limited ? maxTimeMS : opts.defaultLimitMs);
  for (;;) {
    try {
      return await attempt();
    } catch (e) {
      opts.onAttemptFailed?.();
      if (!isWriteConflict(e)) throw e;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        if (limited) throw mongoError('MaxTimeMSExpired', 'operation exceeded time limit');
        throw e;
      }
      await opts.release.wait(Math.min(remaining, RELEASE_POLL_MS));
    }
  }
}
