import type { Document } from '../../bson.js';
import { mongoError } from '../../errors.js';
import { isPlainObject, numberValueOf } from '../../values/types.js';
import { collectionName } from '../args.js';
import { GENERIC_FIELDS } from '../dispatch.js';
import type { CommandSpec } from '../types.js';
import { parseWriteConcern } from '../write-concern.js';

/** Options `create` accepts and stores (others: a clear error rather than silent acceptance). */
const STORED_OPTIONS = new Set([
  'validator',
  'validationLevel',
  'validationAction',
  'changeStreamPreAndPostImages',
  'collation',
  'storageEngine',
  'indexOptionDefaults',
  'comment',
]);
const UNSUPPORTED = new Set([
  'capped',
  'size',
  'max',
  'timeseries',
  'viewOn',
  'pipeline',
  'expireAfterSeconds',
  'encryptedFields',
]);

/**
 * A clustered collection (documents ordered by `_id`) behaves like any collection here, whose
 * `_id` index is always there; what changes is how listCollections/listIndexes describe it.
 */
function clusteredIndexOption(v: unknown): Document {
  if (
    !isPlainObject(v) ||
    !isPlainObject(v.key) ||
    Object.keys(v.key).join() !== '_id' ||
    numberValueOf(v.key._id) !== 1
  ) {
    throw mongoError('InvalidOptions', 'The clusteredIndex option must be {key: {_id: 1}, unique: true}');
  }
  if (v.unique !== true)
    throw mongoError('InvalidOptions', 'The clusteredIndex option requires unique: true');
  if (v.name !== undefined && typeof v.name !== 'string')
    throw mongoError('TypeMismatch', 'clusteredIndex.name must be a string');
  return { v: 2, key: { _id: 1 }, name: v.name ?? '_id_', unique: true };
}

export const createCommand: CommandSpec = {
  name: 'create',
  help: 'Creates a collection with options (validator, changeStreamPreAndPostImages, ...).',
  async run(ctx) {
    const name = collectionName(ctx.arg, 'create');
    const options: Document = {};
    for (const [k, v] of Object.entries(ctx.body)) {
      if (k === 'create' || (GENERIC_FIELDS.has(k) && k !== 'comment')) continue;
      if (UNSUPPORTED.has(k)) {
        if (k === 'capped' && v === false) continue;
        throw mongoError(
          'InvalidOptions',
          `the '${k}' option of create is not supported by the embedded server`,
        );
      }
      if (k === 'clusteredIndex') {
        options[k] = clusteredIndexOption(v);
        continue;
      }
      if (!STORED_OPTIONS.has(k))
        throw mongoError('Location40415', `BSON field 'create.${k}' is an unknown field.`);
      if (k !== 'comment') options[k] = v;
    }
    const wc = parseWriteConcern(ctx.body, ctx.server.inTransaction(ctx));
    const existing = ctx.server.catalog.getCollection(ctx.db, name);
    if (existing) throw mongoError('NamespaceExists', `Collection ${ctx.db}.${name} already exists.`);
    await ctx.server.catalog.createCollection(ctx.db, name, options, { durable: wc.durable });
    return wc.error ? { writeConcernError: wc.error } : {};
  },
};
