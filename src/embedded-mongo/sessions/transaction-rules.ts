/**
 * Which commands may run where, as mongod decides before a command touches its session:
 * the commands allowed inside a multi-document transaction (OperationNotSupportedInTransaction,
 * 263, for the others), and the commands a retryable write may be (NotARetryableWriteCommand,
 * 50768, for a txnNumber without autocommit on anything else).
 */
import type { Document } from '../bson.js';
import { mongoError } from '../errors.js';
import { isPlainObject } from '../values/types.js';

const ALLOWED_IN_TRANSACTION = new Set([
  'abortTransaction',
  'aggregate',
  'bulkWrite',
  'commitTransaction',
  'create',
  'createIndexes',
  'delete',
  'distinct',
  'find',
  'findAndModify',
  'getMore',
  'insert',
  'killCursors',
  'update',
]);

const RETRYABLE_WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify', 'bulkWrite']);

/** Commands that write documents in the transaction's namespaces (and may create them). */
const NAMESPACE_WRITERS = new Set(['insert', 'update', 'delete', 'findAndModify', 'create', 'createIndexes']);

function hasWriteStage(body: Document): boolean {
  const p = body.pipeline;
  return Array.isArray(p) && p.some((s) => isPlainObject(s) && ('$out' in s || '$merge' in s));
}

export function checkAllowedInTransaction(command: string, db: string, body: Document): void {
  if (command === 'count') {
    throw mongoError(
      'OperationNotSupportedInTransaction',
      "Cannot run 'count' in a multi-document transaction. Please see http://dochub.mongodb.org/core/transaction-count for a recommended alternative.",
    );
  }
  if (!ALLOWED_IN_TRANSACTION.has(command))
    throw mongoError(
      'OperationNotSupportedInTransaction',
      `Cannot run '${command}' in a multi-document transaction.`,
    );
  if (db === 'local')
    throw mongoError(
      'OperationNotSupportedInTransaction',
      "Cannot run command against the 'local' database in a transaction.",
    );
  if (db === 'config')
    throw mongoError(
      'OperationNotSupportedInTransaction',
      'Cannot run command against the config database in a transaction.',
    );
  if (command === 'aggregate' && hasWriteStage(body)) {
    throw mongoError(
      'OperationNotSupportedInTransaction',
      'Cannot run aggregate with $out or $merge in a multi-document transaction.',
    );
  }
}

export function checkRetryableWriteCommand(command: string): void {
  if (!RETRYABLE_WRITE_COMMANDS.has(command)) {
    throw mongoError(
      'NotARetryableWriteCommand',
      `txnNumber may only be provided for multi-document transactions and retryable write commands. autocommit:false was not provided, and ${command} is not a retryable write command.`,
    );
  }
}

/** The namespaces a command of a transaction writes to (and might create). */
export function writtenNamespaces(command: string, db: string, arg: unknown, body: Document): string[] {
  if (NAMESPACE_WRITERS.has(command)) return typeof arg === 'string' ? [`${db}.${arg}`] : [];
  if (command === 'bulkWrite' && Array.isArray(body.nsInfo)) {
    return body.nsInfo.flatMap((n) => (isPlainObject(n) && typeof n.ns === 'string' ? [n.ns] : []));
  }
  return [];
}
