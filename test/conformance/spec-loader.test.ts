import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  allOperations,
  listSuiteFiles,
  parseTestFile,
  schemaVersionProblem,
  SpecFormatError,
} from './spec-loader.js';
import { locateSpecs } from './spec-location.js';
import type { OperationDescription } from './schema.js';

// Synthetic file in the unified format (written for this test, not taken from the spec corpus).
const SAMPLE = JSON.stringify({
  description: 'sample',
  schemaVersion: '1.0',
  tests: [
    {
      description: 'types survive',
      operations: [
        {
          name: 'insertOne',
          object: 'collection0',
          arguments: {
            document: {
              _id: 1,
              big: { $numberLong: '42' },
              half: 0.5,
              when: { $date: '2020-01-01T00:00:00Z' },
            },
          },
        },
      ],
    },
  ],
});

describe('parseTestFile', () => {
  it('reads canonical Extended JSON so BSON types survive', () => {
    const file = parseTestFile(SAMPLE, 'sample.json');
    const doc = file.tests[0]!.operations[0]!.arguments!['document'] as Record<string, unknown>;
    expect((doc['_id'] as { _bsontype: string })._bsontype).toBe('Int32');
    expect((doc['big'] as { _bsontype: string })._bsontype).toBe('Long');
    expect((doc['half'] as { _bsontype: string })._bsontype).toBe('Double');
    expect(doc['when']).toBeInstanceOf(Date);
  });

  it('rejects files without the structure the runner relies on', () => {
    expect(() => parseTestFile('{', 'broken.json')).toThrow(SpecFormatError);
    expect(() => parseTestFile('{"schemaVersion":"1.0","tests":{}}', 'x.json')).toThrow(
      /tests must be an array/,
    );
    expect(() =>
      parseTestFile(
        '{"schemaVersion":"1.0","tests":[{"description":"t","operations":[{"name":"x"}]}]}',
        'x.json',
      ),
    ).toThrow(/operations\[0\]\.object must be a string/);
  });
});

describe('schemaVersionProblem', () => {
  it('accepts 1.x up to the supported minor and nothing else', () => {
    expect(schemaVersionProblem('1.0')).toBeUndefined();
    expect(schemaVersionProblem('1.21')).toBeUndefined();
    expect(schemaVersionProblem('1.99')).toMatch(/not supported/);
    expect(schemaVersionProblem('2.0')).toMatch(/not supported/);
    expect(schemaVersionProblem('one')).toMatch(/malformed/);
  });
});

describe('allOperations', () => {
  it('includes operations nested in withTransaction callbacks', () => {
    const ops: OperationDescription[] = [
      {
        name: 'withTransaction',
        object: 'session0',
        arguments: { callback: [{ name: 'insertOne', object: 'collection0' }] },
      },
    ];
    expect(allOperations(ops).map((o) => o.name)).toEqual(['withTransaction', 'insertOne']);
  });
});

describe('spec location', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'conformance-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('prefers $MONGO_SPECS_DIR and reports it when it is unusable', () => {
    mkdirSync(join(root, 'specs', 'unified'), { recursive: true });
    expect(locateSpecs({ MONGO_SPECS_DIR: join(root, 'specs') }, root, root)).toEqual({
      found: true,
      dir: join(root, 'specs'),
    });
    const missing = locateSpecs({ MONGO_SPECS_DIR: join(root, 'nope') }, root, root);
    expect(missing.found).toBe(false);
  });

  it('finds ../shared/mongo-specs beside the package root, from a nested folder', () => {
    const repo = join(root, 'main');
    mkdirSync(join(repo, 'dist', 'test', 'conformance'), { recursive: true });
    writeFileSync(join(repo, 'package.json'), '{}');
    mkdirSync(join(root, 'shared', 'mongo-specs', 'unified', 'crud'), { recursive: true });
    writeFileSync(join(root, 'shared', 'mongo-specs', 'unified', 'crud', 'b.json'), SAMPLE);
    writeFileSync(join(root, 'shared', 'mongo-specs', 'unified', 'crud', 'a.json'), SAMPLE);
    const found = locateSpecs({}, join(repo, 'dist', 'test', 'conformance'), tmpdir());
    expect(found).toEqual({ found: true, dir: join(root, 'shared', 'mongo-specs') });
    if (found.found)
      expect(listSuiteFiles(found.dir, 'crud').map((p) => p.slice(-6))).toEqual(['a.json', 'b.json']);
  });

  it('says where it looked when nothing is there', () => {
    const repo = join(root, 'main');
    mkdirSync(repo);
    writeFileSync(join(repo, 'package.json'), '{}');
    const result = locateSpecs({}, repo, repo);
    expect(result.found).toBe(false);
    if (!result.found) expect(result.reason).toContain(join(root, 'shared', 'mongo-specs'));
  });
});
