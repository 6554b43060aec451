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
  help: 'Kills logical sessions: their transactions are aborted and their cursors closed.',
  async run(ctx) {
    for (const key of requiredSessionIds(ctx.arg, 'killSessions')) await ctx.server.endSession(key);
    return {};
  },
};

export const killAllSessionsCommand: CommandSpec = {
  name: 'killAllSessions',
  help: 'Aborts every open transaction and closes every cursor (test harnesses call it between tests).',
  async run(ctx) {
    await ctx.server.endAllSessions();
    return {};
  },
};

export const refreshSessionsCommand: CommandSpec = {
  name: 'refreshSessions',
  help: 'Keeps sessions alive (they expire after 30 minutes without use).',
  run(ctx) {
    for (const key of requiredSessionIds(ctx.arg, 'refreshSessions')) ctx.server.sessions.refresh(key);
    return {};
  },
};
