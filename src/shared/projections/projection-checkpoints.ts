/**
 * `projection_checkpoints` (read db): one document per projection with the last event the resync
 * path applied: its change-stream resume token (null while a catch-up scan is in progress, so a
 * restart scans again instead of resuming past unscanned events), the event's `_id` in
 * `domain_events` (the scan position), eventId and occurredAt. Written right after the read-model
 * change it belongs to; since `apply` is idempotent, a crash between the two only replays an event.
 */
import { ObjectId, type Db, type Document } from 'mongodb';

export const PROJECTION_CHECKPOINTS = 'projection_checkpoints';

export interface Checkpoint {
  readonly projection: string;
  readonly resumeToken: Document | null;
  readonly lastObjectId: ObjectId | null;
  readonly lastEventId: string | null;
  readonly lastOccurredAt: Date | null;
  readonly updatedAt: Date;
}

export interface CheckpointStore {
  get(projection: string): Promise<Checkpoint | null>;
  save(cp: Checkpoint): Promise<void>;
  clear(projection: string): Promise<void>;
}

interface CheckpointDoc {
  _id: string;
  resumeToken: Document | null;
  lastObjectId: ObjectId | null;
  lastEventId: string | null;
  lastOccurredAt: Date | null;
  updatedAt: Date;
}

export class MongoCheckpointStore implements CheckpointStore {
  constructor(private readonly db: Db) {}

  private get col() {
    return this.db.collection<CheckpointDoc>(PROJECTION_CHECKPOINTS);
  }

  async get(projection: string): Promise<Checkpoint | null> {
    const d = await this.col.findOne({ _id: projection });
    if (!d) return null;
    return {
      projection,
      resumeToken: d.resumeToken ?? null,
      lastObjectId: d.lastObjectId ?? null,
      lastEventId: d.lastEventId ?? null,
      lastOccurredAt: d.lastOccurredAt ?? null,
      updatedAt: d.updatedAt,
    };
  }

  async save(cp: Checkpoint): Promise<void> {
    await this.col.updateOne(
      { _id: cp.projection },
      {
        $set: {
          resumeToken: cp.resumeToken,
          lastObjectId: cp.lastObjectId,
          lastEventId: cp.lastEventId,
          lastOccurredAt: cp.lastOccurredAt,
          updatedAt: cp.updatedAt,
        },
      },
      { upsert: true },
    );
  }

  async clear(projection: string): Promise<void> {
    await this.col.deleteOne({ _id: projection });
  }
}

/**
 * Where a catch-up scan of `domain_events` starts: from the checkpoint's `_id` minus an overlap.
 * `_id`s are ObjectIds made by the writer at insert time; two writers' clocks and transactions
 * that commit out of insert order mean a later commit can carry a slightly smaller `_id`, so the
 * scan goes back `overlapMs` (re-applying is harmless, `apply` is idempotent). `occurredAt` is not
 * used: commands may back-date it. No checkpoint: scan everything.
 */
export function scanStartFilter(cp: Checkpoint | null, overlapMs: number): Document {
  if (!cp?.lastObjectId) return {};
  const seconds = Math.floor((cp.lastObjectId.getTimestamp().getTime() - overlapMs) / 1000);
  return { _id: { $gte: ObjectId.createFromTime(Math.max(0, seconds)) } };
}
