/**
 * Everything a command handler may reach: options, catalog, cursors, clock, connections and
 * counters. One instance per running server; no globals, so several servers can run in one
 * process (tests do).
 */
import { ObjectId, Timestamp } from 'bson';
import type { Document } from './bson.js';
import type { Catalog } from './catalog/catalog.js';
import type { ReadOptions } from './catalog/collection.js';
import type { WriteUnit } from './catalog/write-unit.js';
import type { WriteConcern } from './commands/write-concern.js';
import type { PipelineRunner } from './update/index.js';
import { compileUpdatePipeline } from './aggregation/pipeline.js';
import type { CommandContext, CommandSpec, ConnectionInfo } from './commands/types.js';
import { ConnectionAdmission } from './connection-admission.js';
import { CursorManager } from './cursors/cursor-manager.js';
import { FailPointRegistry } from './failpoints/fail-point-registry.js';
import type { Logger, LogLevel } from './logger.js';
import { CommandRunner } from './sessions/command-runner.js';
import { ReleaseSignal } from './sessions/release-signal.js';
import { SessionCatalog } from './sessions/session-catalog.js';
import { SnapshotHistory } from './sessions/snapshot-history.js';

export interface ResolvedOptions {
  port: number;
  host: string;
  dbPath?: string;
  replSetName: string;
  logLevel: LogLevel;
  enableTestCommands: boolean;
  cursorTimeoutMillis: number;
  maxIncomingConnections: number;
  maxOpenCursors: number;
  transactionLifetimeLimitSeconds: number;
  ttlMonitorSleepSecs: number;
  oplogSizeMB: number;
  /** 0: no age limit. */
  oplogRetentionHours: number;
}

export class ServerState {
  readonly startedAt = new Date();
  /** Constant for the life of the process: drivers compare (electionId, setVersion) to spot stale primaries. */
  readonly electionId = new ObjectId();
  readonly connections = new Map<number, ConnectionInfo>();
  totalConnections = 0;
  /** The connection limit and its refusal counter. */
  readonly admission: ConnectionAdmission;
  readonly opcounters: Record<string, number> = {
    insert: 0,
    query: 0,
    update: 0,
    delete: 0,
    getmore: 0,
    command: 0,
  };
  readonly cursors: CursorManager;
  /** Test-only fail points (configurable when options.enableTestCommands is set). */
  readonly failPoints = new FailPointRegistry();
  /** Logical sessions, their transactions and retryable-write state. */
  readonly sessions: SessionCatalog;
  private readonly release: ReleaseSignal;
  private readonly snapshots: SnapshotHistory;
  private readonly runner: CommandRunner;
  advertisedHost = '';

  constructor(
    readonly options: ResolvedOptions,
    readonly catalog: Catalog,
    readonly logger: Logger,
  ) {
    this.admission = new ConnectionAdmission(
      options.maxIncomingConnections,
      logger,
      () => this.connections.size,
    );
    this.cursors = new CursorManager({
      idleTimeoutMs: options.cursorTimeoutMillis,
      maxOpenCursors: options.maxOpenCursors,
      logger,
    });
    this.release = new ReleaseSignal(catalog);
    this.snapshots = new SnapshotHistory(catalog);
    this.sessions = new SessionCatalog({ catalog, cursors: this.cursors, release: this.release, logger });
    this.runner = new CommandRunner({
      catalog,
      cursors: this.cursors,
      sessions: this.sessions,
      failPoints: this.failPoints,
      release: this.release,
      snapshots: this.snapshots,
      transactionLifetimeLimitMs: options.transactionLifetimeLimitSeconds * 1000,
    });
  }

  get replSetName(): string {
    return this.options.replSetName;
  }

  /** The highest cluster time this server has issued. */
  clusterTime(): Timestamp {
    return this.catalog.clock.current();
  }

  /** The optime of the last committed write (what a causally consistent read must wait for). */
  operationTime(): Timestamp {
    return this.catalog.clock.current();
  }

  countCommand(name: string): void {
    const op = OPCOUNTER_OF[name] ?? 'command';
    this.opcounters[op] = (this.opcounters[op] ?? 0) + 1;
  }

  /**
   * The single place where a handler runs: fail points, sessions, transactions, retryable writes
   * and error labels wrap it (sessions/command-runner.ts).
   */
  runCommand(spec: CommandSpec, ctx: CommandContext): Promise<Document> {
    return this.runner.run(spec, ctx);
  }

  /** Whether the command runs inside a multi-document transaction. */
  inTransaction(ctx: CommandContext): boolean {
    return this.runner.inTransaction(ctx);
  }

  /**
   * How the command reads: the latest committed state (`{}`), a snapshot (snapshot read concern),
   * or its transaction's snapshot plus the transaction's own writes (`{unit}`).
   */
  readOptionsFor(ctx: CommandContext): ReadOptions {
    return this.runner.readOptionsFor(ctx);
  }

  /**
   * Runs the document writes of one command in a write unit. `fn` runs synchronously. A plain
   * command commits its own unit (waiting for the journal fsync when the write concern asks for
   * durability), so plain commands never conflict with each other; a retryable write commits it
   * with its session record once the reply is known; in a transaction `fn` writes into the
   * transaction's unit and nothing is committed.
   */
  withWriteUnit<T>(ctx: CommandContext, wc: WriteConcern, fn: (unit: WriteUnit) => T): Promise<T> {
    return this.runner.withWriteUnit(ctx, wc, fn);
  }

  /** commitTransaction of the command's transaction (durable per `wc`). */
  commitTransaction(ctx: CommandContext, wc: WriteConcern): Promise<void> {
    return this.runner.commitTransaction(ctx, wc);
  }

  abortTransaction(ctx: CommandContext): void {
    this.runner.abortTransaction(ctx);
  }

  /** Runs the stages of pipeline-style updates ($set/$unset/$project/$replaceWith...). */
  readonly pipelineRunner: PipelineRunner = (docs, pipeline, ctx) => {
    const transform = compileUpdatePipeline(pipeline, Object.keys(ctx.variables));
    const vars = { ...ctx.variables, NOW: ctx.now, CLUSTER_TIME: this.clusterTime() };
    return docs.map((d) => transform(d, vars));
  };

  /** endSessions/killSessions: aborts the session's transaction, closes its cursors, forgets it. */
  async endSession(sessionKey: string): Promise<void> {
    await this.sessions.end(sessionKey);
  }

  /** killAllSessions: aborts every open transaction and closes every cursor. */
  async endAllSessions(): Promise<void> {
    await this.sessions.killAll();
  }

  /** Stops timers and aborts open transactions (server shutdown, before the catalog closes). */
  close(): void {
    this.admission.stop();
    this.sessions.close();
    this.snapshots.close();
    this.release.close();
  }
}

const OPCOUNTER_OF: Record<string, string> = {
  insert: 'insert',
  find: 'query',
  update: 'update',
  delete: 'delete',
  getMore: 'getmore',
};
