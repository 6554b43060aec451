/**
 * Public entry point of the embedded MongoDB-compatible server. Code outside
 * `src/embedded-mongo/` may import only this file.
 */
import type { LogLevel } from './logger.js';

export type { LogLevel };

export interface EmbeddedMongoOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. The advertised host in `hello` is `${host}:${port}`. */
  host?: string;
  /** Data directory; omitted = in memory (nothing survives stop). */
  dbPath?: string;
  /** Replica set name advertised in hello; default 'rs0'. */
  replSetName?: string;
  /** Minimum level of the server's JSON log lines on stderr; default 'warn'. */
  logLevel?: LogLevel;
  /** Enables test-only commands such as configureFailPoint (like mongod --setParameter enableTestCommands=1). */
  enableTestCommands?: boolean;
  /**
   * Idle server cursors are closed after this long; default 10 minutes (mongod's
   * cursorTimeoutMillis). Cursors opened with noCursorTimeout are exempt (session end still
   * closes them); a getMore on a closed cursor fails with CursorNotFound (43).
   */
  cursorTimeoutMillis?: number;
  /**
   * Client connections open at once (mongod's net.maxIncomingConnections); connections over it are
   * closed as soon as they are accepted. Default 10,000.
   */
  maxIncomingConnections?: number;
  /**
   * Open cursors at most; one more closes the least recently used idle cursors (counted in
   * serverStatus metrics.cursor.timedOut). Default 100,000.
   */
  maxOpenCursors?: number;
  /** Open transactions older than this are aborted; default 60 s (mongod's transactionLifetimeLimitSeconds). */
  transactionLifetimeLimitSeconds?: number;
  /** Interval of the TTL index sweeper; default 60 s (mongod's ttlMonitorSleepSecs). */
  ttlMonitorSleepSecs?: number;
  /**
   * Oplog retention by size: the oldest entries are dropped once the oplog (kept in memory and in
   * the data directory) exceeds this many MiB; default 192. Fractions are allowed (tests).
   */
  oplogSizeMB?: number;
  /**
   * Oplog retention by age: entries older than this many hours are dropped; default none (size
   * only). A change stream resumed from a dropped point fails with ChangeStreamHistoryLost (286).
   */
  oplogRetentionHours?: number;
}

export interface EmbeddedMongo {
  /** Connection string for the official driver, e.g. mongodb://127.0.0.1:40123/?replicaSet=rs0 */
  readonly uri: string;
  readonly host: string;
  readonly port: number;
  /** Closes client connections, flushes and closes storage. */
  stop(): Promise<void>;
}

export { startEmbeddedMongo } from './server.js';
