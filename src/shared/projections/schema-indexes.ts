/**
 * Read models declare their shape and indexes once, as Mongoose schemas on the read connection;
 * the projection runtime builds the indexes from them on the live, shadow and scratch collections
 * (Mongoose's own index building is off: `autoIndex: false`, see readModelSchemaOptions).
 */
import type { IndexSpecification } from 'mongodb';
import { Schema, type SchemaOptions } from 'mongoose';
import type { ProjectionIndex } from './projection.js';

/** Options every read-model schema uses: the runtime owns collections and indexes. */
export function readModelSchemaOptions(collection: string) {
  return {
    collection,
    autoIndex: false,
    autoCreate: false,
    versionKey: false as const,
    strict: 'throw' as const,
    _id: false,
  } satisfies SchemaOptions;
}

/**
 * The schema's indexes as projection indexes. Every index must be named; the ones named in
 * `usedByApply` are the projection's own lookups (built before a rebuild's replay).
 */
export function indexesOf(schema: Schema, usedByApply: readonly string[] = []): ProjectionIndex[] {
  return schema.indexes().map(([key, options]) => {
    const name = (options as { name?: unknown }).name;
    if (typeof name !== 'string') throw new Error(`read-model index ${JSON.stringify(key)} has no name`);
    return {
      key: key as IndexSpecification,
      options: { ...(options as object), name },
      ...(usedByApply.includes(name) ? { usedByApply: true } : {}),
    };
  });
}

/** A nested read-model object: no `_id` of its own, unknown fields refused. */
export const subSchema = (fields: Record<string, unknown>): Schema =>
  new Schema(fields, { _id: false, strict: 'throw' });
