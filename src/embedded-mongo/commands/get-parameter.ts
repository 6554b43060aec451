import type { Document } from '../bson.js';
import { mongoError } from '../errors.js';
import { LOGICAL_SESSION_TIMEOUT_MINUTES, MAX_SESSIONS } from '../sessions/session-catalog.js';
import type { CommandSpec } from './types.js';

/** Server parameters the embedded server reports (a subset of mongod's, with mongod's defaults). */
function parameters(ctx: Parameters<CommandSpec['run']>[0]): Document {
  return {
    featureCompatibilityVersion: { version: '8.0' },
    transactionLifetimeLimitSeconds: ctx.server.options.transactionLifetimeLimitSeconds,
    cursorTimeoutMillis: ctx.server.options.cursorTimeoutMillis,
    maxSessions: MAX_SESSIONS,
    localLogicalSessionTimeoutMinutes: LOGICAL_SESSION_TIMEOUT_MINUTES,
    enableTestCommands: ctx.server.options.enableTestCommands,
    maxBSONDepth: 100,
    authenticationMechanisms: [],
    requireApiVersion: false,
    logLevel: 0,
  };
}

export const getParameterCommand: CommandSpec = {
  name: 'getParameter',
  adminOnly: true,
  help: "Reads server parameters: {getParameter: '*'} or {getParameter: 1, <name>: 1}.",
  run(ctx) {
    const all = parameters(ctx);
    if (
      ctx.arg === '*' ||
      (typeof ctx.arg === 'object' && ctx.arg !== null && (ctx.arg as Document).allParameters)
    )
      return all;
    const out: Document = {};
    for (const key of Object.keys(ctx.body)) {
      if (key === 'getParameter' || key.startsWith('$') || key === 'lsid' || key === 'comment') continue;
      if (!(key in all)) throw mongoError('InvalidOptions', `no option found to get: ${key}`);
      out[key] = all[key];
    }
    if (Object.keys(out).length === 0) throw mongoError('InvalidOptions', 'no option found to get');
    return out;
  },
};
