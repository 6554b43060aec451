import type { CommandSpec } from './types.js';
import { requiredSessionIds } from './sessions-args.js';

export const endSessionsCommand: CommandSpec = {
  name: 'endSessions',
  help: 'Ends logical sessions: their cursors are closed and open transactions aborted.',
  async run(ctx) {
    for (const key of requiredSessionIds(ctx.arg, 'endSessions')) await ctx.server.endSession(key);
    return {};
  },
};

export const killSessionsCommand: CommandSpec = {
  name: 'killSessions',
  help: 'Kills logical sessions (same effect as endSessions here).',
  async run(ctx) {
    for (const key of requiredSessionIds(ctx.arg, 'killSessions')) await ctx.server.endSession(key);
    return {};
  },
};

export const killAllSessionsCommand: CommandSpec = {
  name: 'killAllSessions',
  help: 'Kills every logical session (test harnesses call it between tests).',
  async run(ctx) {
    await ctx.server.endAllSessions();
    return {};
  },
};

export const refreshSessionsCommand: CommandSpec = {
  name: 'refreshSessions',
  help: 'Keeps sessions alive; sessions here live until ended, so this only validates its input.',
  run(ctx) {
    requiredSessionIds(ctx.arg, 'refreshSessions');
    return {};
  },
};
