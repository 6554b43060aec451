/**
 * Database and collection name rules (mongod's NamespaceString validation). Violations are
 * InvalidNamespace (73), as mongod reports them.
 */
import { mongoError } from '../errors.js';

const MAX_DB_NAME = 63;
const MAX_NS_BYTES = 255;

/** `system.*` collections a user may create or use. */
const ALLOWED_SYSTEM = new Set(['system.js', 'system.views', 'system.profile']);

export function splitNamespace(ns: string): { db: string; coll: string } {
  const dot = ns.indexOf('.');
  if (dot <= 0) throw mongoError('InvalidNamespace', `Invalid namespace specified '${ns}'`);
  return { db: ns.slice(0, dot), coll: ns.slice(dot + 1) };
}

export function validateDbName(db: string): void {
  if (typeof db !== 'string' || db.length === 0)
    throw mongoError('InvalidNamespace', 'Invalid db name: empty');
  if (db.length > MAX_DB_NAME)
    throw mongoError('InvalidNamespace', `db name '${db}' is too long (max ${MAX_DB_NAME})`);
  if (/[/\\. "$\0]/.test(db)) throw mongoError('InvalidNamespace', `Invalid database name: '${db}'`);
}

/**
 * Validates a collection name for creation (explicit or implicit). `system.` names other than a
 * few allowed ones are reserved.
 */
export function validateCollectionName(db: string, name: string): void {
  validateDbName(db);
  if (typeof name !== 'string' || name.length === 0) {
    throw mongoError('InvalidNamespace', `Invalid namespace specified '${db}.'`);
  }
  if (name.includes('\0'))
    throw mongoError('InvalidNamespace', `Invalid namespace specified '${db}.${name}': contains null`);
  if (name.includes('$') && name !== 'oplog.$main') {
    throw mongoError('InvalidNamespace', `Invalid collection name: ${name}`);
  }
  if (name.startsWith('.'))
    throw mongoError('InvalidNamespace', `Collection names cannot start with '.': ${name}`);
  if (name.startsWith('system.') && !ALLOWED_SYSTEM.has(name) && !name.startsWith('system.buckets.')) {
    throw mongoError('InvalidNamespace', `Invalid system namespace: ${db}.${name}`);
  }
  if (Buffer.byteLength(`${db}.${name}`) > MAX_NS_BYTES) {
    throw mongoError('InvalidNamespace', `Fully qualified namespace is too long. Namespace: ${db}.${name}`);
  }
}
