/**
 * Checks a document must pass before it is stored, with mongod's error codes: a valid `_id`, no
 * oversize documents. (`withId` and the `_id` rules live with the collection, which applies them
 * to every insert.)
 */
import type { Document } from '../../bson.js';
import { bsonSize } from '../../bson.js';
import { mongoError } from '../../errors.js';
import { checkIdValue } from '../../catalog/collection.js';
import { MAX_BSON_OBJECT_SIZE } from '../../wire/constants.js';

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

export { withId } from '../../catalog/collection.js';
