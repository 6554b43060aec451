import type { CommandSpec } from './types.js';

export const getCmdLineOptsCommand: CommandSpec = {
  name: 'getCmdLineOpts',
  adminOnly: true,
  help: 'Options the server was started with.',
  run(ctx) {
    const o = ctx.server.options;
    const argv = ['embedded-mongo', '--port', String(o.port), '--replSet', o.replSetName];
    argv.push('--maxConns', String(o.maxIncomingConnections));
    if (o.dbPath) argv.push('--dbpath', o.dbPath);
    return {
      argv,
      parsed: {
        net: { port: o.port, bindIp: o.host, maxIncomingConnections: o.maxIncomingConnections },
        replication: { replSet: o.replSetName },
        storage: { dbPath: o.dbPath ?? '(in memory)' },
      },
    };
  },
};
