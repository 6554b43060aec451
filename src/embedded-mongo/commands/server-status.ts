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
        available: new Int32(10_000),
        totalCreated: new Int32(s.totalConnections),
      },
      opcounters: { ...s.opcounters },
      mem: {
        bits: 64,
        resident: Math.round(mem.rss / 1048576),
        virtual: Math.round(mem.heapTotal / 1048576),
        supported: true,
      },
      metrics: { cursor: { open: { total: Long.fromNumber(s.cursors.openCount) } } },
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
