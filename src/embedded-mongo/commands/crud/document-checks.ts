/**
 * Checks a document must pass before it is stored, with mongod's error codes: a valid `_id`
 * (generated first when missing), no oversize documents, no empty top-level field names.
 */
import { ObjectId } from 'bson';
import type { Document } from '../../bson.js';
import { bsonSize } from '../../bson.js';
import { mongoError } from '../../errors.js';
import { bsonTypeOf, isPlainObject } from '../../values/types.js';
import { MAX_BSON_OBJECT_SIZE } from '../../wire/constants.js';

/** Returns the document with `_id` first, generating an ObjectId when it has none. */
export function withId(doc: Document): Document {
  if (Object.prototype.hasOwnProperty.call(doc, '_id') && doc._id !== undefined) {
    if (Object.keys(doc)[0] === '_id') return doc;
    const out: Document = { _id: doc._id };
    for (const k of Object.keys(doc)) if (k !== '_id') out[k] = doc[k];
    return out;
  }
  return { _id: new ObjectId(), ...doc };
}

export function checkIdValue(id: unknown): void {
  const t = bsonTypeOf(id);
  if (t === 'array') throw mongoError('InvalidIdField', `The '_id' value cannot be of type array`);
  if (t === 'regex') throw mongoError('InvalidIdField', `The '_id' value cannot be of type regex`);
  if (t === 'undefined') throw mongoError('InvalidIdField', `can't use a undefined for _id`);
  if (isPlainObject(id)) {
    for (const k of Object.keys(id)) {
      if (k.startsWith('$'))
        throw mongoError(
          'DollarPrefixedFieldName',
          `_id fields may not contain '$'-prefixed fields: ${k} is not valid for storage.`,
        );
    }
  }
}

export function checkStorable(doc: Document): void {
  checkIdValue(doc._id);
  const size = bsonSize(doc);
  if (size > MAX_BSON_OBJECT_SIZE) {
    throw mongoError(
      'BSONObjectTooLarge',
      `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_OBJECT_SIZE}`,
    );
  }
}
