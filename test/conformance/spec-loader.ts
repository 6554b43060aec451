/**
 * Lists and parses unified-format test files. Files are read as canonical Extended JSON
 * (`relaxed: false`), so `{"$numberLong": "1"}` becomes a Long, `1` an Int32 and `1.5` a Double:
 * documents sent to the server keep the exact BSON types the test asks for.
 *
 * The loader checks only the structure the runner depends on; everything else is the runner's to
 * interpret (and to reject loudly when it does not understand it).
 */
import { EJSON } from 'bson';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

import type { OperationDescription, TestFile } from './schema.js';
import { isRecord } from './values.js';

/** The newest schema version this runner claims to understand (unified-test-format.md). */
export const SUPPORTED_SCHEMA_VERSION: readonly [number, number] = [1, 28];

export class SpecFormatError extends Error {
  override readonly name = 'SpecFormatError';
}

export function listSuites(specsDir: string): string[] {
  const root = join(specsDir, 'unified');
  return readdirSync(root)
    .filter((name) => statSync(join(root, name)).isDirectory())
    .sort();
}

export function listSuiteFiles(specsDir: string, suite: string): string[] {
  const dir = join(specsDir, 'unified', suite);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(dir, name));
}

/** `undefined` when the version can be run, else why not. */
export function schemaVersionProblem(version: string): string | undefined {
  const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(version);
  if (match === null) return `malformed schemaVersion '${version}'`;
  const major = Number(match[1]);
  const minor = Number(match[2] ?? '0');
  const [supportedMajor, supportedMinor] = SUPPORTED_SCHEMA_VERSION;
  if (major !== supportedMajor || minor > supportedMinor) {
    return `schemaVersion ${version} is not supported (runner supports ${supportedMajor}.0-${supportedMajor}.${supportedMinor})`;
  }
  return undefined;
}

function requireString(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new SpecFormatError(`${where} must be a string`);
  return value;
}

function requireArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new SpecFormatError(`${where} must be an array`);
  return value;
}

function checkOperations(value: unknown, where: string): OperationDescription[] {
  return requireArray(value, where).map((op, i) => {
    if (!isRecord(op)) throw new SpecFormatError(`${where}[${i}] must be a document`);
    requireString(op['name'], `${where}[${i}].name`);
    requireString(op['object'], `${where}[${i}].object`);
    if (op['arguments'] !== undefined && !isRecord(op['arguments'])) {
      throw new SpecFormatError(`${where}[${i}].arguments must be a document`);
    }
    return op as unknown as OperationDescription;
  });
}

/** Parses the text of one test file; `origin` names it in error messages. */
export function parseTestFile(text: string, origin: string): TestFile {
  let parsed: unknown;
  try {
    parsed = EJSON.parse(text, { relaxed: false });
  } catch (error) {
    throw new SpecFormatError(`${origin}: not valid Extended JSON: ${(error as Error).message}`);
  }
  if (!isRecord(parsed)) throw new SpecFormatError(`${origin}: top level must be a document`);
  try {
    requireString(parsed['schemaVersion'], 'schemaVersion');
    if (parsed['description'] === undefined) parsed['description'] = basename(origin, '.json');
    requireString(parsed['description'], 'description');
    requireArray(parsed['tests'], 'tests').forEach((test, i) => {
      if (!isRecord(test)) throw new SpecFormatError(`tests[${i}] must be a document`);
      requireString(test['description'], `tests[${i}].description`);
      checkOperations(test['operations'], `tests[${i}].operations`);
    });
    for (const key of ['runOnRequirements', 'createEntities', 'initialData'] as const) {
      if (parsed[key] !== undefined) requireArray(parsed[key], key);
    }
  } catch (error) {
    if (error instanceof SpecFormatError) throw new SpecFormatError(`${origin}: ${error.message}`);
    throw error;
  }
  return parsed as unknown as TestFile;
}

export function loadTestFile(path: string): TestFile {
  return parseTestFile(readFileSync(path, 'utf8'), path);
}

/** Every operation of a test, including the ones nested in withTransaction callbacks and threads. */
export function allOperations(operations: readonly OperationDescription[]): OperationDescription[] {
  const out: OperationDescription[] = [];
  const visit = (ops: readonly OperationDescription[]): void => {
    for (const op of ops) {
      out.push(op);
      const args = op.arguments ?? {};
      if (Array.isArray(args['callback'])) visit(args['callback'] as OperationDescription[]);
      if (Array.isArray(args['operations'])) visit(args['operations'] as OperationDescription[]);
      if (isRecord(args['operation'])) visit([args['operation'] as unknown as OperationDescription]);
    }
  };
  visit(operations);
  return out;
}
