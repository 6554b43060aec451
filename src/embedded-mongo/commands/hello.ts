import { Int32 } from 'bson';
import type { Document } from '../bson.js';
import { MAX_BSON_OBJECT_SIZE, MAX_MESSAGE_SIZE_BYTES, MAX_WRITE_BATCH_SIZE } from '../wire/constants.js';
import type { CommandContext, CommandSpec } from './types.js';

/** maxWireVersion 25 = MongoDB 8.0 (client bulkWrite); minWireVersion 0 accepts every driver. */
export const MAX_WIRE_VERSION = 25;

/**
 * hello / isMaster: presents the server as the writable primary of a one-member replica set, so
 * drivers enable sessions, transactions, retryable writes and change streams. No
 * `topologyVersion`: that would switch the driver to streaming (exhaust) monitoring.
 */
function helloReply(ctx: CommandContext, legacyName: boolean): Document {
  const s = ctx.server;
  const client = ctx.body.client;
  if (client && typeof client === 'object') ctx.connection.clientMetadata = client as Document;
  const reply: Document = {
    ...(legacyName ? { ismaster: true } : { isWritablePrimary: true }),
    topologyVersion: undefined,
    hosts: [s.advertisedHost],
    setName: s.replSetName,
    setVersion: 1,
    secondary: false,
    primary: s.advertisedHost,
    me: s.advertisedHost,
    electionId: s.electionId,
    lastWrite: {
      opTime: { ts: s.clusterTime(), t: 1 },
      lastWriteDate: new Date(s.clusterTime().high * 1000),
      majorityOpTime: { ts: s.clusterTime(), t: 1 },
      majorityWriteDate: new Date(s.clusterTime().high * 1000),
    },
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: new Int32(ctx.connection.id),
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
  };
  delete reply.topologyVersion;
  if (ctx.body.helloOk !== undefined) reply.helloOk = true;
  return reply;
}

export const helloCommand: CommandSpec = {
  name: 'hello',
  help: 'Describes this server: the primary of a single-node replica set.',
  run: (ctx) => helloReply(ctx, false),
};

export const isMasterCommand: CommandSpec = {
  name: 'isMaster',
  aliases: ['ismaster'],
  help: 'Legacy hello, used by drivers for the first handshake.',
  run: (ctx) => helloReply(ctx, true),
};
