/**
 * Every command the server serves, in alphabetical order, one file each. listCommands answers
 * from this same list, so what is advertised is exactly what is served.
 */
import { buildInfoCommand } from './build-info.js';
import { configureFailPointCommand } from './configure-fail-point.js';
import { connectionStatusCommand } from './connection-status.js';
import { aggregateCommand } from './crud/aggregate.js';
import { clientBulkWriteCommand } from './crud/client-bulk-write.js';
import { countCommand } from './crud/count.js';
import { deleteCommand } from './crud/delete.js';
import { distinctCommand } from './crud/distinct.js';
import { explainCommand } from './crud/explain.js';
import { findAndModifyCommand } from './crud/find-and-modify.js';
import { findCommand as findQueryCommand } from './crud/find.js';
import { getMoreCommand } from './crud/get-more.js';
import { insertCommand } from './crud/insert.js';
import { killCursorsCommand } from './crud/kill-cursors.js';
import { updateCommand } from './crud/update.js';
import { collModCommand } from './ddl/coll-mod.js';
import { createIndexesCommand } from './ddl/create-indexes.js';
import { createCommand } from './ddl/create.js';
import { dropIndexesCommand } from './ddl/drop-indexes.js';
import { dropCommand, dropDatabaseCommand } from './ddl/drop.js';
import { listCollectionsCommand } from './ddl/list-collections.js';
import { listDatabasesCommand } from './ddl/list-databases.js';
import { listIndexesCommand } from './ddl/list-indexes.js';
import { renameCollectionCommand } from './ddl/rename-collection.js';
import { collStatsCommand, dbStatsCommand } from './ddl/stats.js';
import {
  endSessionsCommand,
  killAllSessionsCommand,
  killSessionsCommand,
  refreshSessionsCommand,
} from './end-sessions.js';
import { getCmdLineOptsCommand } from './get-cmd-line-opts.js';
import { getLogCommand } from './get-log.js';
import { getParameterCommand } from './get-parameter.js';
import { helloCommand, isMasterCommand } from './hello.js';
import { hostInfoCommand } from './host-info.js';
import { makeListCommands } from './list-commands.js';
import { pingCommand } from './ping.js';
import {
  createSearchIndexesCommand,
  dropSearchIndexCommand,
  updateSearchIndexCommand,
} from './search-indexes.js';
import { serverStatusCommand } from './server-status.js';
import { abortTransactionCommand, commitTransactionCommand } from './transactions.js';
import type { CommandSpec } from './types.js';
import { whatsmyuriCommand } from './whatsmyuri.js';

const COMMANDS: CommandSpec[] = [
  abortTransactionCommand,
  aggregateCommand,
  buildInfoCommand,
  clientBulkWriteCommand,
  collModCommand,
  collStatsCommand,
  commitTransactionCommand,
  configureFailPointCommand,
  connectionStatusCommand,
  countCommand,
  createCommand,
  createIndexesCommand,
  createSearchIndexesCommand,
  dbStatsCommand,
  deleteCommand,
  distinctCommand,
  dropCommand,
  dropDatabaseCommand,
  dropIndexesCommand,
  dropSearchIndexCommand,
  endSessionsCommand,
  explainCommand,
  findQueryCommand,
  findAndModifyCommand,
  getCmdLineOptsCommand,
  getLogCommand,
  getMoreCommand,
  getParameterCommand,
  helloCommand,
  hostInfoCommand,
  insertCommand,
  isMasterCommand,
  killAllSessionsCommand,
  killCursorsCommand,
  killSessionsCommand,
  listCollectionsCommand,
  listDatabasesCommand,
  listIndexesCommand,
  pingCommand,
  refreshSessionsCommand,
  renameCollectionCommand,
  serverStatusCommand,
  updateCommand,
  updateSearchIndexCommand,
  whatsmyuriCommand,
];
COMMANDS.push(makeListCommands(() => COMMANDS));
COMMANDS.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

const BY_NAME = new Map<string, CommandSpec>();
for (const c of COMMANDS) {
  BY_NAME.set(c.name, c);
  for (const alias of c.aliases ?? []) BY_NAME.set(alias, c);
}

export function lookupCommand(name: string): CommandSpec | undefined {
  return BY_NAME.get(name);
}

export function allCommands(): readonly CommandSpec[] {
  return COMMANDS;
}
