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
import { CursorManager } from './cursors/cursor-manager.js';
import type { Logger, LogLevel } from './logger.js';

export interface ResolvedOptions {
  port: number;
  host: string;
  dbPath?: string;
  replSetName: string;
  logLevel: LogLevel;
  enableTestCommands: boolean;
  cursorTimeoutMillis: number;
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
  readonly opcounters: Record<string, number> = {
    insert: 0,
    query: 0,
    update: 0,
    delete: 0,
    getmore: 0,
    command: 0,
  };
  readonly cursors: CursorManager;
  advertisedHost = '';

  constructor(
    readonly options: ResolvedOptions,
    readonly catalog: Catalog,
    readonly logger: Logger,
  ) {
    this.cursors = new CursorManager(options.cursorTimeoutMillis);
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

  /** The single place where a handler runs; sessions, transactions and fail points wrap it. */
  async runCommand(spec: CommandSpec, ctx: CommandContext): Promise<Document> {
    return spec.run(ctx);
  }

  /** Whether the command runs inside a multi-document transaction. */
  inTransaction(_ctx: CommandContext): boolean {
    return false;
  }

  /** How the command reads: the latest committed state, or its transaction's snapshot + writes. */
  readOptionsFor(_ctx: CommandContext): ReadOptions {
    return {};
  }

  /**
   * Runs the document writes of one command in a write unit and commits it (waiting for the
   * journal fsync when the write concern asks for durability). `fn` runs synchronously, so a plain
   * command's unit is never open across an await and plain commands never conflict with each other.
   */
  async withWriteUnit<T>(_ctx: CommandContext, wc: WriteConcern, fn: (unit: WriteUnit) => T): Promise<T> {
    const unit = this.catalog.beginWrite();
    let result: T;
    try {
      result = fn(unit);
    } catch (e) {
      unit.abort();
      throw e;
    }
    await unit.commit({ durable: wc.durable });
    return result;
  }

  /** Runs the stages of pipeline-style updates ($set/$unset/$project/$replaceWith...). */
  readonly pipelineRunner: PipelineRunner = (docs, pipeline, ctx) => {
    const transform = compileUpdatePipeline(pipeline, Object.keys(ctx.variables));
    const vars = { ...ctx.variables, NOW: ctx.now, CLUSTER_TIME: this.clusterTime() };
    return docs.map((d) => transform(d, vars));
  };

  async endSession(sessionKey: string): Promise<void> {
    await this.cursors.killSession(sessionKey);
  }

  async endAllSessions(): Promise<void> {
    await this.cursors.killAll();
  }
}

const OPCOUNTER_OF: Record<string, string> = {
  insert: 'insert',
  find: 'query',
  update: 'update',
  delete: 'delete',
  getMore: 'getmore',
};
