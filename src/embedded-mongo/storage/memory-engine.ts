/**
 * The in-memory engine: nothing is persisted, so every append is "durable" at once. Used when the
 * server runs without a dbPath (tests) and by catalog unit tests.
 */
import {
  emptyStats,
  type AppendOptions,
  type CheckpointSource,
  type EngineStats,
  type MutationBatch,
  type RecoveredState,
  type StorageEngine,
} from './engine.js';

export class MemoryEngine implements StorageEngine {
  readonly kind = 'memory' as const;
  private readonly counters: EngineStats = emptyStats();

  async open(_source: CheckpointSource): Promise<RecoveredState> {
    return {
      checkpoint: null,
      batches: [],
      report: { checkpointDocuments: 0, journalFiles: 0, journalRecords: 0, discardedBytes: 0, millis: 0 },
    };
  }

  async append(_batch: MutationBatch, opts: AppendOptions): Promise<void> {
    this.counters.appends++;
    if (opts.durable) this.counters.durableAppends++;
  }

  async flush(): Promise<void> {}

  async checkpoint(): Promise<void> {}

  async close(): Promise<void> {}

  stats(): EngineStats {
    return { ...this.counters };
  }
}
