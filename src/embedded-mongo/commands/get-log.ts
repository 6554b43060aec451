import type { CommandSpec } from './types.js';

export const getLogCommand: CommandSpec = {
  name: 'getLog',
  adminOnly: true,
  help: "Recent log lines; the embedded server logs to stderr, so only {getLog: '*'} and empty logs are served.",
  run(ctx) {
    if (ctx.arg === '*') return { names: ['global', 'startupWarnings'] };
    return { totalLinesWritten: 0, log: [] };
  },
};
