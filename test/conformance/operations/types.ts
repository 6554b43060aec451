/**
 * What an operation handler is: the arguments it accepts (anything else in the test is an error,
 * per "Executing an Operation"), how its result is matched, and the call into the driver.
 */
import type { MongoClient } from 'mongodb';

import type { EntityMap } from '../entities.js';
import type { OperationDescription } from '../schema.js';
import type { Args } from './arguments.js';

/**
 * 'documents': an iterable result, every element matched as a root-level document (find,
 * aggregate, list*). 'value': anything else; a top-level document is still a root document.
 */
export type ResultShape = 'documents' | 'value';

export interface FailPointRecord {
  readonly client: MongoClient;
  readonly name: string;
}

export interface TestState {
  /** Set by startTransaction/withTransaction: the test ends with killAllSessions. */
  startedTransaction: boolean;
  readonly failPoints: FailPointRecord[];
}

export interface OperationContext {
  readonly entities: EntityMap;
  /** The runner's own client (initialData, outcome, assertCollectionExists, ...). */
  readonly internalClient: MongoClient;
  readonly state: TestState;
  /** Runs one operation with its assertions; used for withTransaction callbacks (errors propagate). */
  runNested(op: OperationDescription, index: number): Promise<void>;
}

export interface OperationSpec<T> {
  readonly required?: readonly string[];
  readonly optional?: readonly string[];
  /** Accept any further argument as a driver option (runCommand-like pass-through). */
  readonly passThrough?: boolean;
  readonly result?: ResultShape;
  run(target: T, args: Args, ctx: OperationContext): Promise<unknown>;
}

export type OperationTable<T> = Readonly<Record<string, OperationSpec<T>>>;
