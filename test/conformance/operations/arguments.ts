/**
 * Operation arguments, prepared as "Special Handling for Arguments" requires: `session` resolved to
 * the session entity, readConcern/readPreference/writeConcern turned into driver objects.
 *
 * Arguments that are data for the server (documents, filters, pipelines, hints, comments...) keep
 * the BSON types the test file gives them (Int32/Long/Double), so the server sees exactly what the
 * test intends. Every other argument is an option the driver inspects, so its numbers are made
 * native JS numbers (the driver tests `typeof batchSize === 'number'`).
 */
import type { ClientSession, Document } from 'mongodb';

import type { EntityMap } from '../entities.js';
import { RunnerError } from '../errors.js';
import { readConcernFrom, readPreferenceFrom, writeConcernFrom } from '../options.js';
import { isDocumentLike, toNative } from '../values.js';
import type { OperationSpec } from './types.js';

const DATA_ARGUMENTS: ReadonlySet<string> = new Set([
  'arrayFilters',
  'callback',
  'entities',
  'event',
  'failPoint',
  'operation',
  'operations',
  'collation',
  'command',
  'comment',
  'definition',
  'document',
  'documents',
  'filter',
  'hint',
  'keys',
  'let',
  'max',
  'min',
  'model',
  'models',
  'pipeline',
  'projection',
  'replacement',
  'requests',
  'sort',
  'update',
  'validator',
  'changeStreamPreAndPostImages',
  'clusteredIndex',
  'timeseries',
  'resumeAfter',
  'startAfter',
  'startAtOperationTime',
]);

export class Args {
  constructor(
    private readonly values: Readonly<Record<string, unknown>>,
    private readonly where: string,
  ) {}

  has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  raw(name: string): unknown {
    return this.values[name];
  }

  document(name: string): Document {
    const value = this.values[name];
    if (!isDocumentLike(value)) throw new RunnerError(`${this.where}: argument '${name}' must be a document`);
    return value;
  }

  optionalDocument(name: string): Document | undefined {
    return this.has(name) ? this.document(name) : undefined;
  }

  documents(name: string): Document[] {
    const value = this.values[name];
    if (!Array.isArray(value) || !value.every(isDocumentLike)) {
      throw new RunnerError(`${this.where}: argument '${name}' must be a list of documents`);
    }
    return value as Document[];
  }

  /** An update is a document or a pipeline (list of documents). */
  update(name: string): Document | Document[] {
    const value = this.values[name];
    return Array.isArray(value) ? this.documents(name) : this.document(name);
  }

  string(name: string): string {
    const value = this.values[name];
    if (typeof value !== 'string')
      throw new RunnerError(`${this.where}: argument '${name}' must be a string`);
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.has(name) ? this.string(name) : undefined;
  }

  number(name: string): number {
    const value = this.values[name];
    if (typeof value !== 'number')
      throw new RunnerError(`${this.where}: argument '${name}' must be a number`);
    return value;
  }

  session(): ClientSession | undefined {
    return this.values['session'] as ClientSession | undefined;
  }

  /** Every argument except `exclude`, as a driver options object. */
  options(...exclude: string[]): Document {
    const out: Document = {};
    for (const [key, value] of Object.entries(this.values)) {
      if (!exclude.includes(key) && value !== undefined) out[key] = value;
    }
    return out;
  }
}

function prepareValue(name: string, value: unknown, entities: EntityMap, where: string): unknown {
  switch (name) {
    case 'session':
      if (typeof value !== 'string') throw new RunnerError(`${where}: session must name a session entity`);
      return entities.getAs(value, 'session').session;
    case 'readPreference':
      return readPreferenceFrom(value, `${where}.readPreference`);
    case 'writeConcern':
      return writeConcernFrom(value, `${where}.writeConcern`);
    case 'readConcern':
      return readConcernFrom(value, `${where}.readConcern`);
    case 'returnDocument': {
      const text = typeof value === 'string' ? value.toLowerCase() : '';
      if (text !== 'before' && text !== 'after') {
        throw new RunnerError(`${where}: returnDocument must be 'Before' or 'After'`);
      }
      return text;
    }
    default:
      return DATA_ARGUMENTS.has(name) ? value : toNative(value);
  }
}

export function prepareArguments<T>(
  raw: Document | undefined,
  spec: OperationSpec<T>,
  entities: EntityMap,
  where: string,
): Args {
  const given = raw ?? {};
  const required = spec.required ?? [];
  const allowed = new Set([...required, ...(spec.optional ?? [])]);
  for (const name of required) {
    if (given[name] === undefined) throw new RunnerError(`${where}: missing required argument '${name}'`);
  }
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(given)) {
    if (!allowed.has(name) && spec.passThrough !== true) {
      throw new RunnerError(`${where}: unsupported argument '${name}'`);
    }
    values[name] = prepareValue(name, value, entities, where);
  }
  return new Args(values, where);
}
