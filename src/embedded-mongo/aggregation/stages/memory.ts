/**
 * The memory guard of blocking stages. mongod limits $group / $sort / $bucketAuto to 100 MB unless
 * they may spill to disk; the embedded server never spills, so the limit only applies when the
 * command says `allowDiskUse: false` (MongoDB 6.0+ allows disk use by default). Sizes are
 * estimates, cheap enough to compute per document.
 */
import { bsonTypeOf } from '../../values/index.js';
import { fail } from '../expressions/core.js';
import type { RunEnv } from './stage.js';

export const MEMORY_LIMIT_BYTES = 100 * 1024 * 1024;

const QueryExceededMemoryLimitNoDiskUseAllowed = 292;

/** A rough in-memory size of a value. */
export function approxSize(v: unknown): number {
  switch (bsonTypeOf(v)) {
    case 'string':
      return 16 + (v as string).length;
    case 'object': {
      let n = 32;
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) n += k.length + approxSize(x);
      return n;
    }
    case 'array': {
      let n = 24;
      for (const x of v as unknown[]) n += approxSize(x);
      return n;
    }
    case 'binData':
      return 64;
    default:
      return 16;
  }
}

/** Tracks a blocking stage's memory when the limit applies (a no-op otherwise). */
export class MemoryGuard {
  private used = 0;
  private readonly enforced: boolean;
  constructor(
    env: RunEnv,
    private readonly message: string,
  ) {
    this.enforced = env.ctx.allowDiskUse === false;
  }

  get active(): boolean {
    return this.enforced;
  }

  add(bytes: number): void {
    if (!this.enforced) return;
    this.used += bytes;
    if (this.used > MEMORY_LIMIT_BYTES) fail(QueryExceededMemoryLimitNoDiskUseAllowed, this.message);
  }
}
