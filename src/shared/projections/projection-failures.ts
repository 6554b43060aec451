/**
 * `projection_failures` (read db): dead letters. An event that still fails after the bounded
 * retries is recorded here (one document per projection + event: a repeat failure of the same
 * event updates it) and the projection moves on. Dead letters can be listed, retried (re-applied;
 * on success marked resolved) and discarded (kept, marked discarded, for the audit trail).
 */
import { ObjectId, type Db } from 'mongodb';
import type { StoredEvent } from '../events/event-registry.js';

export const PROJECTION_FAILURES = 'projection_failures';

export type DeadLetterStatus = 'dead' | 'resolved' | 'discarded';

export interface DeadLetter {
  readonly id: string;
  readonly projection: string;
  readonly event: StoredEvent;
  readonly error: string;
  readonly attempts: number;
  readonly firstFailureAt: Date;
  readonly lastFailureAt: Date;
  readonly status: DeadLetterStatus;
  readonly resolvedAt?: Date;
}

export interface FailureStore {
  record(projection: string, event: StoredEvent, error: string, attempts: number): Promise<void>;
  list(filter?: { projection?: string; status?: DeadLetterStatus }): Promise<DeadLetter[]>;
  get(id: string): Promise<DeadLetter | null>;
  mark(id: string, status: DeadLetterStatus, error?: string, attempts?: number): Promise<void>;
  count(projection: string): Promise<number>;
}

interface FailureDoc {
  _id: ObjectId;
  projection: string;
  eventId: string;
  event: StoredEvent;
  error: string;
  attempts: number;
  firstFailureAt: Date;
  lastFailureAt: Date;
  status: DeadLetterStatus;
  resolvedAt?: Date;
}

export class MongoFailureStore implements FailureStore {
  private indexed: Promise<unknown> | undefined;

  constructor(private readonly db: Db) {}

  private async col() {
    const c = this.db.collection<FailureDoc>(PROJECTION_FAILURES);
    this.indexed ??= c.createIndexes([
      { key: { projection: 1, eventId: 1 }, unique: true },
      { key: { status: 1, projection: 1 } },
    ]);
    await this.indexed;
    return c;
  }

  async record(projection: string, event: StoredEvent, error: string, attempts: number): Promise<void> {
    const now = new Date();
    await (
      await this.col()
    ).updateOne(
      { projection, eventId: event.eventId },
      {
        $set: { event, error, lastFailureAt: now, status: 'dead' },
        $inc: { attempts },
        $setOnInsert: { _id: new ObjectId(), firstFailureAt: now },
      },
      { upsert: true },
    );
  }

  async list(filter: { projection?: string; status?: DeadLetterStatus } = {}): Promise<DeadLetter[]> {
    const q: Partial<Pick<FailureDoc, 'projection' | 'status'>> = { status: filter.status ?? 'dead' };
    if (filter.projection) q.projection = filter.projection;
    const docs = await (await this.col()).find(q).sort({ firstFailureAt: 1 }).limit(1000).toArray();
    return docs.map(toDeadLetter);
  }

  async get(id: string): Promise<DeadLetter | null> {
    if (!ObjectId.isValid(id)) return null;
    const d = await (await this.col()).findOne({ _id: new ObjectId(id) });
    return d ? toDeadLetter(d) : null;
  }

  async mark(id: string, status: DeadLetterStatus, error?: string, attempts?: number): Promise<void> {
    const now = new Date();
    const set: Partial<FailureDoc> = { status };
    if (status !== 'dead') set.resolvedAt = now;
    if (error !== undefined) {
      set.error = error;
      set.lastFailureAt = now;
    }
    await (
      await this.col()
    ).updateOne({ _id: new ObjectId(id) }, { $set: set, ...(attempts ? { $inc: { attempts } } : {}) });
  }

  async count(projection: string): Promise<number> {
    return (await this.col()).countDocuments({ projection, status: 'dead' });
  }
}

function toDeadLetter(d: FailureDoc): DeadLetter {
  return {
    id: d._id.toHexString(),
    projection: d.projection,
    event: d.event,
    error: d.error,
    attempts: d.attempts,
    firstFailureAt: d.firstFailureAt,
    lastFailureAt: d.lastFailureAt,
    status: d.status,
    ...(d.resolvedAt ? { resolvedAt: d.resolvedAt } : {}),
  };
}
