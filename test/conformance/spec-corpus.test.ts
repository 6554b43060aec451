/**
 * Checks the runner against the real spec corpus WITHOUT a server: every file parses, and every
 * test that would run (applicable on an 8.0 replica set, not on the skip list) uses only operations
 * and arguments the runner implements. Runs only where the spec files exist (they are outside the
 * repository); elsewhere it is skipped, like the conformance suite itself.
 */
import { basename } from 'node:path';

import { operationProblem } from './operations/index.js';
import { checkRequirements, type ServerFacts } from './requirements.js';
import type { EntityDescription, OperationDescription, TestCase, TestFile } from './schema.js';
import { findSkip, SKIP_LIST } from './skip-list.js';
import { allOperations, listSuiteFiles, listSuites, loadTestFile } from './spec-loader.js';
import { locateSpecs } from './spec-location.js';

const location = locateSpecs();
const describeWithSpecs = location.found ? describe : describe.skip;

const facts: ServerFacts = {
  version: [8, 0, 0],
  topology: 'replicaset',
  auth: false,
  serverless: false,
  csfle: false,
  serverParameters: {},
};

const SAVED_KIND: Readonly<Record<string, string>> = {
  createChangeStream: 'changeStream',
  createFindCursor: 'cursor',
  createCommandCursor: 'cursor',
  createCollection: 'collection',
};

/** Operation problems in a test, with entity kinds inferred from its declarations. */
function problems(file: TestFile, test: TestCase): string[] {
  const kinds = new Map<string, string>();
  const declare = (entities: readonly EntityDescription[]): void => {
    for (const entity of entities) {
      const [kind] = Object.keys(entity);
      const id = kind === undefined ? undefined : entity[kind]?.['id'];
      if (kind !== undefined && typeof id === 'string') kinds.set(id, kind);
    }
  };
  declare(file.createEntities ?? []);
  const found: string[] = [];
  const visit = (ops: readonly OperationDescription[]): void => {
    for (const op of ops) {
      if (op.object === 'testRunner' && op.name === 'createEntities') {
        declare((op.arguments?.['entities'] ?? []) as EntityDescription[]);
      }
      const kind = op.object === 'testRunner' ? 'testRunner' : kinds.get(op.object);
      const problem = kind === undefined ? `unknown entity ${op.object}` : operationProblem(kind, op);
      if (problem !== undefined) found.push(problem);
      if (op.saveResultAsEntity !== undefined)
        kinds.set(op.saveResultAsEntity, SAVED_KIND[op.name] ?? 'value');
      if (Array.isArray(op.arguments?.['callback']))
        visit(op.arguments['callback'] as OperationDescription[]);
    }
  };
  visit(test.operations);
  return found;
}

describeWithSpecs('spec corpus (no server needed)', () => {
  const specsDir = location.found ? location.dir : '';
  const files = location.found
    ? listSuites(specsDir).flatMap((suite) =>
        listSuiteFiles(specsDir, suite).map((path) => ({ suite, path })),
      )
    : [];

  it('parses every file', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const { path } of files) expect(() => loadTestFile(path)).not.toThrow();
  });

  it('implements every operation and argument of the tests that would run', () => {
    const gaps: string[] = [];
    for (const { suite, path } of files) {
      const file = loadTestFile(path);
      if (!checkRequirements(file.runOnRequirements, facts).applicable) continue;
      for (const test of file.tests) {
        if (test.skipReason !== undefined || !checkRequirements(test.runOnRequirements, facts).applicable)
          continue;
        if (findSkip(suite, basename(path), file, test) !== undefined) continue;
        for (const problem of problems(file, test))
          gaps.push(`${suite}/${basename(path)}: ${test.description}: ${problem}`);
      }
    }
    expect(gaps).toEqual([]);
  });

  it('names only existing files and tests in the skip list', () => {
    for (const entry of SKIP_LIST) {
      const match = files.find(({ suite, path }) => suite === entry.suite && basename(path) === entry.file);
      expect(match).toBeDefined();
      if (entry.test !== undefined && match !== undefined) {
        expect(loadTestFile(match.path).tests.map((t) => t.description)).toContain(entry.test);
      }
    }
  });

  it('finds nested operations everywhere the rules look', () => {
    const names = new Set(
      files.flatMap(({ path }) =>
        loadTestFile(path).tests.flatMap((t) => allOperations(t.operations).map((o) => o.name)),
      ),
    );
    expect(names.has('insertOne')).toBe(true);
  });
});
