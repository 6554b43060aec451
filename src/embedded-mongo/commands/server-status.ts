/**
 * serverStatus: the mongod sections the embedded server can fill. connections.available is
 * maxIncomingConnections - current, connections.rejected counts refusals over that limit;
 * metrics.cursor follows mongod (timedOut, totalOpened, open.{total,noTimeout,pinned}).
 */
import { Int32, Long } from 'bson';
import os from 'node:os';
import { SERVER_VERSION } from './build-info.js';
import type { CommandSpec } from './types.js';

export const serverStatusCommand: CommandSpec = {
  name: 'serverStatus',
  aliases: ['serverstatus'],
  help: 'Process, connection, cursor and operation counters.',
  run(ctx) {
    const s = ctx.server;
    const mem = process.memoryUsage();
    const cursors = s.cursors.metrics();
    return {
      host: os.hostname(),
      version: SERVER_VERSION,
      process: 'embedded-mongo',
      pid: Long.fromNumber(process.pid),
      uptime: (Date.now() - s.startedAt.getTime()) / 1000,
      uptimeMillis: Long.fromNumber(Date.now() - s.startedAt.getTime()),
      localTime: new Date(),
      connections: {
        current: new Int32(s.connections.size),
        available: new Int32(s.admission.available()),
        totalCreated: new Int32(s.totalConnections),
        rejected: new Int32(s.admission.rejected),
      },
      opcounters: { ...s.opcounters },
      mem: {
        bits: 64,
        resident: Math.round(mem.rss / 1048576),
        virtual: Math.round(mem.heapTotal / 1048576),
        supported: true,
      },
      // Node's own figures (mongod puts platform-specific process figures here too).
      extra_info: {
        note: 'fields vary by platform',
        rssBytes: Long.fromNumber(mem.rss),
        heapUsedBytes: Long.fromNumber(mem.heapUsed),
        heapTotalBytes: Long.fromNumber(mem.heapTotal),
        externalBytes: Long.fromNumber(mem.external + mem.arrayBuffers),
      },
      logicalSessionRecordCache: { activeSessionsCount: new Int32(s.sessions.size) },
      metrics: {
        cursor: {
          timedOut: Long.fromNumber(cursors.timedOut),
          totalOpened: Long.fromNumber(cursors.totalOpened),
          open: {
            total: Long.fromNumber(cursors.open.total),
            noTimeout: Long.fromNumber(cursors.open.noTimeout),
            pinned: Long.fromNumber(cursors.open.pinned),
          },
        },
      },
      repl: {
        setName: s.replSetName,
        isWritablePrimary: true,
        secondary: false,
        hosts: [s.advertisedHost],
        primary: s.advertisedHost,
        me: s.advertisedHost,
      },
      storageEngine: {
        name: 'embedded',
        supportsCommittedReads: true,
        persistent: s.options.dbPath !== undefined,
      },
    };
  },
};
