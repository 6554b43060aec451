/**
 * The contract between the dispatcher and the one-file-per-command handlers.
 */
import type { Document } from '../bson.js';
import type { ServerState } from '../server-state.js';

export interface ConnectionInfo {
  readonly id: number;
  readonly remote: string;
  /** `client` metadata from the handshake, if sent. */
  clientMetadata?: Document;
}

export interface CommandContext {
  readonly server: ServerState;
  readonly connection: ConnectionInfo;
  /** `$db` of the request (or the database of an OP_QUERY `<db>.$cmd`). */
  readonly db: string;
  /** The whole command document, kind-1 sequences merged in. */
  readonly body: Document;
  /** The value of the command's first field (e.g. the collection name for `find`). */
  readonly arg: unknown;
  /** True for the legacy OP_QUERY transport (handshake and old tools). */
  readonly legacy: boolean;
}

export interface CommandSpec {
  /** Canonical name, as listCommands reports it. */
  readonly name: string;
  /** Other spellings accepted (e.g. 'ismaster'). */
  readonly aliases?: readonly string[];
  /** Runs only against the admin database (like mongod's adminOnly commands). */
  readonly adminOnly?: boolean;
  /** Exists only when the server runs with `enableTestCommands` (else CommandNotFound, like mongod). */
  readonly testOnly?: boolean;
  readonly help: string;
  run(ctx: CommandContext): Promise<Document> | Document;
}
