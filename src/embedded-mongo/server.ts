/**
 * The TCP server: accepts connections, hands each socket to the wire layer, and routes every
 * decoded command to the dispatcher. Start and stop are the only lifecycle; storage is opened
 * before listening and flushed after the last connection is closed.
 */
import net from 'node:net';
import { Timestamp } from './bson.js';
import type { EmbeddedMongo, EmbeddedMongoOptions } from './index.js';
import { Catalog } from './catalog/catalog.js';
import { openStorage } from './storage/open-storage.js';
import { DEFAULT_OPLOG_SIZE_MB, OplogEngine } from './oplog/index.js';
import { dispatchCommand } from './commands/dispatch.js';
import { DEFAULT_MAX_INCOMING_CONNECTIONS } from './connection-admission.js';
import { DEFAULT_MAX_OPEN_CURSORS } from './cursors/cursor-manager.js';
import { createLogger } from './logger.js';
import { ServerState, type ResolvedOptions } from './server-state.js';
import { serveConnection, type WireConnection } from './wire/connection.js';

function resolveOptions(o: EmbeddedMongoOptions): ResolvedOptions {
  return {
    port: o.port ?? 0,
    host: o.host ?? '127.0.0.1',
    dbPath: o.dbPath,
    replSetName: o.replSetName ?? 'rs0',
    logLevel: o.logLevel ?? 'warn',
    enableTestCommands: o.enableTestCommands ?? false,
    cursorTimeoutMillis: o.cursorTimeoutMillis ?? 10 * 60 * 1000,
    maxIncomingConnections: o.maxIncomingConnections ?? DEFAULT_MAX_INCOMING_CONNECTIONS,
    maxOpenCursors: o.maxOpenCursors ?? DEFAULT_MAX_OPEN_CURSORS,
    transactionLifetimeLimitSeconds: o.transactionLifetimeLimitSeconds ?? 60,
    ttlMonitorSleepSecs: o.ttlMonitorSleepSecs ?? 60,
    oplogSizeMB: o.oplogSizeMB ?? DEFAULT_OPLOG_SIZE_MB,
    oplogRetentionHours: o.oplogRetentionHours ?? 0,
  };
}

/** Rejects limits that would make the server unusable, before anything is opened. */
function checkLimits(o: ResolvedOptions): void {
  if (!Number.isInteger(o.maxIncomingConnections) || o.maxIncomingConnections < 1) {
    throw new RangeError(
      `maxIncomingConnections must be a positive integer, got ${o.maxIncomingConnections}`,
    );
  }
  if (!Number.isInteger(o.maxOpenCursors) || o.maxOpenCursors < 1) {
    throw new RangeError(`maxOpenCursors must be a positive integer, got ${o.maxOpenCursors}`);
  }
  if (!Number.isFinite(o.cursorTimeoutMillis) || o.cursorTimeoutMillis <= 0) {
    throw new RangeError(`cursorTimeoutMillis must be a positive number, got ${o.cursorTimeoutMillis}`);
  }
}

export async function startEmbeddedMongo(options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const opts = resolveOptions(options);
  checkLimits(opts);
  const logger = createLogger(opts.logLevel);
  const engine = new OplogEngine(await openStorage(opts.dbPath, logger), {
    maxBytes: opts.oplogSizeMB * 1024 * 1024,
    maxAgeMs: opts.oplogRetentionHours * 3600 * 1000,
    logger,
  });
  const catalog = await Catalog.open(engine, { logger, ttlMonitorSleepSecs: opts.ttlMonitorSleepSecs });
  // The cluster time starts at the wall clock, like a fresh mongod's (never below a recovered one).
  catalog.clock.advanceTo(new Timestamp({ t: Math.floor(Date.now() / 1000), i: 0 }));
  const state = new ServerState(opts, catalog, logger);
  const connections = new Set<WireConnection>();
  let nextConnectionId = 1;

  const server = net.createServer((socket) => {
    const id = nextConnectionId++;
    socket.setNoDelay(true);
    state.totalConnections++;
    const info = { id, remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}` };
    state.connections.set(id, info);
    const conn = serveConnection(socket, {
      connectionId: id,
      logger,
      dispatch: (req) => dispatchCommand(state, info, req.body, req.legacy),
      onClose: () => {
        connections.delete(conn);
        state.connections.delete(id);
      },
    });
    connections.add(conn);
  });
  state.admission.attach(server);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  const advertisedHost = `${opts.host}:${address.port}`.toLowerCase();
  state.advertisedHost = advertisedHost;
  logger.info('embedded MongoDB-compatible server listening', {
    address: advertisedHost,
    replSet: opts.replSetName,
    dbPath: opts.dbPath ?? '(in memory)',
    maxIncomingConnections: opts.maxIncomingConnections,
    cursorTimeoutMillis: opts.cursorTimeoutMillis,
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const open = [...connections];
      for (const c of open) c.close();
      // A dispatch still running must finish before storage closes under it.
      await Promise.all([closed, ...open.map((c) => c.closed)]);
      state.close();
      state.cursors.stop();
      await state.cursors.killAll();
      await catalog.close();
      logger.info('embedded MongoDB-compatible server stopped', { address: advertisedHost });
    })();
    return stopped;
  };

  return {
    uri: `mongodb://${advertisedHost}/?replicaSet=${encodeURIComponent(opts.replSetName)}`,
    host: opts.host,
    port: address.port,
    stop,
  };
}
