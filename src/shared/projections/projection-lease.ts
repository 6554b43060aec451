/**
 * `projection_leases` (read db): which instance runs a projection's resync stream. One document
 * per projection: holder id and expiresAt. An instance acquires the lease when it is free or
 * expired, renews it by heartbeat, and stops its stream as soon as a renewal fails; a dead holder's
 * lease expires after `ttlMs`, and the next instance to try takes it over. Time is each instance's
 * clock: keep ttlMs well above the expected clock skew.
 */
import type { Db } from 'mongodb';

export const PROJECTION_LEASES = 'projection_leases';

interface LeaseDoc {
  _id: string;
  holder: string;
  expiresAt: Date;
  renewedAt: Date;
}

export interface LeaseInfo {
  readonly holder: string;
  readonly expiresAt: Date;
  readonly renewedAt: Date;
}

export class LeaseStore {
  constructor(private readonly db: Db) {}

  private get col() {
    return this.db.collection<LeaseDoc>(PROJECTION_LEASES);
  }

  /** Acquire or renew; true when `holder` holds the lease until now + ttlMs. */
  async tryAcquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = new Date();
    const expiresAt = new Date(now.getTime() + ttlMs);
    try {
      const res = await this.col.findOneAndUpdate(
        { _id: name, $or: [{ holder }, { expiresAt: { $lt: now } }] },
        { $set: { holder, expiresAt, renewedAt: now } },
        { upsert: true, returnDocument: 'after' },
      );
      return res?.holder === holder;
    } catch (e) {
      // Upsert raced with another holder's live lease: the _id exists and the filter did not match.
      if ((e as { code?: number }).code === 11000) return false;
      throw e;
    }
  }

  async release(name: string, holder: string): Promise<void> {
    await this.col.deleteOne({ _id: name, holder });
  }

  async get(name: string): Promise<LeaseInfo | null> {
    const d = await this.col.findOne({ _id: name });
    return d ? { holder: d.holder, expiresAt: d.expiresAt, renewedAt: d.renewedAt } : null;
  }
}
