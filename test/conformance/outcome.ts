/**
 * initialData and outcome (unified-test-format.md, "Executing a Test"), both through the internal
 * client. Setup writes with w:"majority"; the outcome read uses read preference primary, read
 * concern local and sort {_id: 1}, and compares exactly (matcher.assertExactDocuments).
 */
import { ReadPreference, type Document, type MongoClient } from 'mongodb';

import { assertExactDocuments } from './matcher.js';
import type { CollectionData } from './schema.js';
import { readProperty } from './values.js';

const MAJORITY = { w: 'majority' } as const;
const NAMESPACE_NOT_FOUND = 26;

async function dropIfExists(
  client: MongoClient,
  databaseName: string,
  collectionName: string,
): Promise<void> {
  try {
    await client.db(databaseName).command({ drop: collectionName, writeConcern: MAJORITY });
  } catch (error) {
    if (readProperty(error, 'code') !== NAMESPACE_NOT_FOUND) throw error;
  }
}

/**
 * `signal` stops the setup between steps once the test was abandoned (timed out), so that a late
 * reply cannot make it write into the collections of the next test.
 */
export async function prepareInitialData(
  client: MongoClient,
  data: readonly CollectionData[] | undefined,
  signal?: AbortSignal,
): Promise<void> {
  for (const collection of data ?? []) {
    const { databaseName, collectionName, createOptions, documents } = collection;
    const db = client.db(databaseName);
    signal?.throwIfAborted();
    await dropIfExists(client, databaseName, collectionName);
    // Queryable-encryption side collections, which the spec also wants gone.
    await dropIfExists(client, databaseName, `enxcol_.${collectionName}.esc`);
    await dropIfExists(client, databaseName, `enxcol_.${collectionName}.ecoc`);
    signal?.throwIfAborted();
    if (createOptions !== undefined || documents.length === 0) {
      await db.command({ create: collectionName, ...(createOptions ?? {}), writeConcern: MAJORITY });
    }
    signal?.throwIfAborted();
    if (documents.length > 0) {
      // Copies: the driver adds _id to what it inserts, and the test file is reused by the next test.
      await db.collection(collectionName).insertMany(
        documents.map((d: Document) => ({ ...d })),
        { writeConcern: MAJORITY },
      );
    }
  }
}

export async function assertOutcome(
  client: MongoClient,
  outcome: readonly CollectionData[] | undefined,
): Promise<void> {
  for (const { databaseName, collectionName, documents } of outcome ?? []) {
    const actual = await client
      .db(databaseName)
      .collection(collectionName)
      .find({}, { sort: { _id: 1 }, readPreference: ReadPreference.primary, readConcern: { level: 'local' } })
      .toArray();
    assertExactDocuments(documents, actual, `outcome ${databaseName}.${collectionName}`);
  }
}
