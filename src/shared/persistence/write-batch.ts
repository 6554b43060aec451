/**
 * The writes of one command's transaction, staged while the command runs and sent as ONE
 * client-level `bulkWrite` (MongoDB 8.0 command; driver >= 6.10) just before the commit: one round
 * trip whatever the number of aggregates, events and records written.
 *
 * The batch is ordered: the first failing operation stops it and the transaction aborts. Each
 * staged write states what its result must be:
 * - an insert may map a duplicate key to the caller's error (`onDuplicate`);
 * - an update must match exactly one document (the optimistic lock: the filter names the version
 *   the aggregate was read at), else the caller's error (`onNoMatch`) is thrown.
 * A write conflict with a concurrent transaction surfaces as the driver's TransientTransactionError
 * (the UnitOfWork's withTransaction retries the whole command).
 */
import {
  MongoClientBulkWriteError,
  MongoError,
  type AnyClientBulkWriteModel,
  type ClientSession,
  type Document,
  type MongoClient,
} from 'mongodb';

type ErrorFactory = () => Error;

interface Staged {
  model: AnyClientBulkWriteModel<Document>;
  onDuplicate?: ErrorFactory;
  onNoMatch?: ErrorFactory;
}

const DUPLICATE_KEY = 11000;

export class WriteBatch {
  private readonly staged: Staged[] = [];
  private readonly onCommit: (() => void)[] = [];

  constructor(private readonly dbName: string) {}

  get size(): number {
    return this.staged.length;
  }

  insertOne(collection: string, document: Document, onDuplicate?: ErrorFactory): void {
    this.staged.push({
      model: { name: 'insertOne', namespace: this.ns(collection), document },
      onDuplicate,
    });
  }

  /** An update that must match exactly one document (else `onNoMatch()` is thrown). */
  updateOne(collection: string, filter: Document, update: Document, onNoMatch: ErrorFactory): void {
    this.staged.push({
      model: { name: 'updateOne', namespace: this.ns(collection), filter, update },
      onNoMatch,
    });
  }

  /**
   * Runs `fn` once the transaction has committed (never when it aborts or is retried): for caches
   * of what the transaction wrote. The UnitOfWork calls these before it returns.
   */
  afterCommit(fn: () => void): void {
    this.onCommit.push(fn);
  }

  /** For the UnitOfWork, after the commit. */
  committed(): void {
    for (const fn of this.onCommit.splice(0)) fn();
  }

  /** Sends every staged write in one round trip (nothing when empty) and checks each result. */
  async flush(client: MongoClient, session: ClientSession): Promise<void> {
    if (this.staged.length === 0) return;
    let updates: ReadonlyMap<number, { matchedCount: number }> | undefined;
    try {
      const result = await client.bulkWrite(
        this.staged.map((s) => s.model),
        { session, ordered: true, verboseResults: true },
      );
      updates = result.updateResults;
    } catch (e) {
      throw this.translate(e);
    }
    this.staged.forEach((s, i) => {
      if (s.onNoMatch && (updates?.get(i)?.matchedCount ?? 0) !== 1) throw s.onNoMatch();
    });
  }

  private translate(e: unknown): unknown {
    if (!(e instanceof MongoClientBulkWriteError)) return e;
    // A command-level error (e.g. a WriteConflict) arrives wrapped, its labels on the cause: give
    // withTransaction the cause, so it sees TransientTransactionError and retries.
    if (e.cause instanceof MongoError && e.writeErrors.size === 0) return e.cause;
    for (const [index, error] of e.writeErrors) {
      // A guard that failed before the failing write explains it (e.g. a stale version: the
      // aggregate's event then collides with the event of the version already stored).
      const guard = this.failedGuardBefore(index, e.partialResult?.updateResults);
      if (guard) return guard;
      const onDuplicate = this.staged[index]?.onDuplicate;
      if (error.code === DUPLICATE_KEY && onDuplicate) return onDuplicate();
      return Object.assign(new Error(`bulkWrite operation ${index} failed: ${error.message}`), {
        code: error.code,
        cause: e,
      });
    }
    return e;
  }

  private failedGuardBefore(
    index: number,
    updates: ReadonlyMap<number, { matchedCount: number }> | undefined,
  ): Error | undefined {
    for (let i = 0; i < index; i++) {
      const onNoMatch = this.staged[i].onNoMatch;
      if (onNoMatch && (updates?.get(i)?.matchedCount ?? 0) !== 1) return onNoMatch();
    }
    return undefined;
  }

  private ns(collection: string): string {
    return `${this.dbName}.${collection}`;
  }
}
