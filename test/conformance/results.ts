/**
 * "Converting Returned Model Objects to Documents" (unified-test-format.md): the driver's result
 * classes become plain documents with the CRUD spec's field names. Fields the driver reports as
 * `null` for "not applicable" (UpdateResult.upsertedId) are left out, so that `$$unsetOrMatches`
 * and `$$exists` see them as absent, as the CRUD spec models them.
 */
import type { Document } from 'mongodb';

import { asDocumentView, isRecord, readProperty } from './values.js';

function pick(source: unknown, keys: readonly string[]): Document {
  const out: Document = {};
  for (const key of keys) {
    const value = readProperty(source, key);
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out;
}

export function insertOneResultToDocument(result: unknown): Document {
  return pick(result, ['acknowledged', 'insertedId']);
}

export function insertManyResultToDocument(result: unknown): Document {
  return pick(result, ['acknowledged', 'insertedCount', 'insertedIds']);
}

export function updateResultToDocument(result: unknown): Document {
  return pick(result, ['acknowledged', 'matchedCount', 'modifiedCount', 'upsertedCount', 'upsertedId']);
}

export function deleteResultToDocument(result: unknown): Document {
  return pick(result, ['acknowledged', 'deletedCount']);
}

/** Collection.bulkWrite's BulkWriteResult (also found as MongoBulkWriteError.result). */
export function bulkWriteResultToDocument(result: unknown): Document {
  return pick(result, [
    'insertedCount',
    'matchedCount',
    'modifiedCount',
    'deletedCount',
    'upsertedCount',
    'upsertedIds',
    'insertedIds',
  ]);
}

function mapToDocument(value: unknown, convert: (entry: unknown) => Document): Document | undefined {
  if (value === undefined || value === null) return undefined;
  const view = asDocumentView(value);
  if (!isRecord(view)) return undefined;
  const out: Document = {};
  for (const [key, entry] of Object.entries(view)) out[key] = convert(entry);
  return out;
}

/** MongoClient.bulkWrite's ClientBulkWriteResult (also MongoClientBulkWriteError.partialResult). */
export function clientBulkWriteResultToDocument(result: unknown): Document {
  const doc = pick(result, [
    'acknowledged',
    'insertedCount',
    'upsertedCount',
    'matchedCount',
    'modifiedCount',
    'deletedCount',
  ]);
  const insertResults = mapToDocument(readProperty(result, 'insertResults'), (e) => pick(e, ['insertedId']));
  const updateResults = mapToDocument(readProperty(result, 'updateResults'), (e) =>
    pick(e, ['matchedCount', 'modifiedCount', 'upsertedId']),
  );
  const deleteResults = mapToDocument(readProperty(result, 'deleteResults'), (e) =>
    pick(e, ['deletedCount']),
  );
  if (insertResults !== undefined) doc['insertResults'] = insertResults;
  if (updateResults !== undefined) doc['updateResults'] = updateResults;
  if (deleteResults !== undefined) doc['deleteResults'] = deleteResults;
  return doc;
}
