/**
 * What a pipeline needs from outside, implemented by the command layer. The aggregation module
 * never touches storage or the catalog: collections arrive as document iterables, and writes
 * ($out / $merge) leave through `writeOutput`.
 */
import type { Document } from '../bson.js';

export type OutputMode = 'out' | { merge: Document };

export interface OutputTarget {
  db: string;
  coll: string;
}

export interface PipelineContext {
  /** Database the pipeline runs in ($lookup / $unionWith / $out targets default to it). */
  readonly db: string;
  /**
   * Values of user variables (already evaluated), e.g. from `evaluateVariables(command.let)`.
   * Names must be valid user variable names.
   */
  readonly variables?: Readonly<Record<string, unknown>>;
  /** The aggregate command's raw `let` document, evaluated once by runPipeline (alternative to `variables`). */
  readonly let?: Document;
  /** The value of $$NOW for the whole operation. */
  readonly now: Date;
  /** The value of $$CLUSTER_TIME (a Timestamp). */
  readonly clusterTime?: unknown;
  /**
   * The operation's collation. $match, $sort and $graphLookup's restrictSearchWithMatch honour it
   * (through the query layer); expression comparisons, $group keys and set operators compare
   * binary, unlike mongod.
   */
  readonly collation?: Document;
  /**
   * `false` enforces mongod's 100 MB limit on blocking stages ($group, $sort, $bucketAuto) with
   * QueryExceededMemoryLimitNoDiskUseAllowed (292); anything else lifts it. Nothing is ever
   * spilled: documents stay in memory either way.
   */
  readonly allowDiskUse?: boolean;
  /**
   * Builds the `$text` predicate of a first-stage $match (the command layer owns text indexes; it
   * may attach the score with setDocumentMetadata for {$meta: 'textScore'}). Without it, $text
   * fails as with no text index.
   */
  textMatcher?(text: Document): (doc: Document) => boolean;
  /** A snapshot of another collection's documents, for $lookup, $graphLookup and $unionWith. */
  resolveCollection(db: string, coll: string): AsyncIterable<Document> | Iterable<Document>;
  /**
   * Writes the output of a final $out / $merge stage. Called once, after the pipeline has produced
   * every document; the pipeline then yields nothing. `mode` is 'out' or `{merge: <normalized
   * $merge spec>}` (into/on/let/whenMatched/whenNotMatched with defaults filled in).
   */
  writeOutput?(target: OutputTarget, docs: Document[], mode: OutputMode): Promise<void>;
  /**
   * Source stages the command layer serves ($collStats, $indexStats, $currentOp, $listSessions,
   * $listLocalSessions, $planCacheStats, $changeStream, ...). Returns the stage's output documents,
   * or undefined when the stage is not supported (the pipeline then fails with NotImplemented).
   */
  systemStage?(
    name: string,
    spec: unknown,
    info: { db: string; input: AsyncIterable<Document> },
  ): AsyncIterable<Document> | Iterable<Document> | undefined;
}
