/**
 * Runs one command document: finds its handler in the registry, runs it through
 * ServerState.runCommand (sessions, transactions, fail points), turns thrown MongoCommandErrors
 * into MongoDB's `{ok: 0, errmsg, code, codeName, errorLabels}` replies, and stamps every reply
 * with `$clusterTime` and `operationTime` (drivers gossip them; causal consistency needs them).
 * A CloseConnectionRequest passes through: the connection then closes without replying.
 */
import { Binary, Long } from 'bson';
import type { Document } from '../bson.js';
import { MongoCommandError, ErrorCodes, codeNameOf } from '../errors.js';
import type { ServerState } from '../server-state.js';
import { CloseConnectionRequest } from '../wire/close-request.js';
import type { CommandContext, ConnectionInfo } from './types.js';
import { lookupCommand } from './registry.js';

const ZERO_HASH = new Binary(Buffer.alloc(20), 0);

/** Fields every command may carry that are not arguments of the command itself. */
export const GENERIC_FIELDS = new Set([
  '$db',
  'lsid',
  'txnNumber',
  'autocommit',
  'startTransaction',
  '$clusterTime',
  '$readPreference',
  'readConcern',
  'writeConcern',
  'comment',
  'maxTimeMS',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  '$audit',
  '$client',
  'recoveryToken',
  'stmtId',
]);

export function errorReply(err: MongoCommandError): Document {
  const reply: Document = {
    ok: 0,
    errmsg: err.message,
    code: err.code,
    codeName: err.codeName,
    ...err.extra,
  };
  if (err.errorLabels.length > 0) reply.errorLabels = err.errorLabels;
  return reply;
}

export function stampReply(server: ServerState, reply: Document): Document {
  const ts = server.clusterTime();
  reply.$clusterTime = { clusterTime: ts, signature: { hash: ZERO_HASH, keyId: Long.ZERO } };
  reply.operationTime = server.operationTime();
  return reply;
}

export async function dispatchCommand(
  server: ServerState,
  connection: ConnectionInfo,
  body: Document,
  legacy: boolean,
  legacyDb?: string,
): Promise<Document> {
  const name = Object.keys(body)[0];
  const db = typeof body.$db === 'string' ? body.$db : (legacyDb ?? 'admin');
  let reply: Document;
  try {
    if (name === undefined)
      throw new MongoCommandError(ErrorCodes.CommandNotFound, 'no such command: empty command document');
    const spec = lookupCommand(name);
    if (!spec || (spec.testOnly && !server.options.enableTestCommands))
      throw new MongoCommandError(ErrorCodes.CommandNotFound, `no such command: '${name}'`);
    if (spec.adminOnly && db !== 'admin') {
      throw new MongoCommandError(
        ErrorCodes.Unauthorized,
        `${spec.name} may only be run against the admin database.`,
      );
    }
    const ctx: CommandContext = { server, connection, db, body, arg: body[name], legacy };
    server.countCommand(spec.name);
    const result = await server.runCommand(spec, ctx);
    reply = { ...result, ok: result.ok ?? 1 };
  } catch (e) {
    // A fail point asked to drop the connection: the wire layer closes it without a reply.
    if (e instanceof CloseConnectionRequest) throw e;
    if (e instanceof MongoCommandError) {
      reply = errorReply(e);
    } else {
      const message = e instanceof Error ? e.message : String(e);
      server.logger.error('command failed with an internal error', {
        command: name,
        db,
        error: message,
        stack: e instanceof Error ? e.stack : undefined,
      });
      reply = {
        ok: 0,
        errmsg: message,
        code: ErrorCodes.InternalError,
        codeName: codeNameOf(ErrorCodes.InternalError),
      };
    }
  }
  return stampReply(server, reply);
}
