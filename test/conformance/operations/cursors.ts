/**
 * Creating cursors and change streams "so that the server-side cursor exists" without consuming a
 * document (unified-test-format.md, createChangeStream / createFindCursor / createCommandCursor),
 * and the cursor entity operations.
 *
 * The Node driver creates the server cursor lazily; its `cursorInit()` runs exactly the initial
 * command (aggregate/find/...) and keeps the first batch buffered. It is internal API, exposed by
 * the driver for its own unified runner; hasNext() would instead send a getMore when the first
 * batch is empty, which the tests' expected events do not contain.
 */
import { AbstractCursor, ChangeStream, type Document } from 'mongodb';

import { RunnerError } from '../errors.js';
import { readProperty } from '../values.js';
import type { OperationTable } from './types.js';

async function callCursorInit(cursor: unknown): Promise<void> {
  const init = readProperty(cursor, 'cursorInit');
  if (typeof init !== 'function')
    throw new RunnerError('this driver version has no cursorInit(); cannot create the cursor eagerly');
  await (init as () => Promise<void>).call(cursor);
}

export async function initializeCursor(cursor: AbstractCursor<Document>): Promise<AbstractCursor<Document>> {
  await callCursorInit(cursor);
  return cursor;
}

export async function initializeChangeStream(
  stream: ChangeStream<Document>,
): Promise<ChangeStream<Document>> {
  await callCursorInit(readProperty(stream, 'cursor'));
  return stream;
}

type CursorLike = AbstractCursor<Document> | ChangeStream<Document>;

export function isEntityResult(value: unknown): value is CursorLike {
  return value instanceof AbstractCursor || value instanceof ChangeStream;
}

export const cursorOperations: OperationTable<CursorLike> = {
  iterateUntilDocumentOrError: {
    run: (cursor) => cursor.next(),
  },
  iterateOnce: {
    run: (cursor) => cursor.tryNext(),
  },
  close: {
    async run(cursor) {
      try {
        await cursor.close();
      } catch {
        // "test runners MUST suppress all errors when closing the cursor"
      }
      return undefined;
    },
  },
};
