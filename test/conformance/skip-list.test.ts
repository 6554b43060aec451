import type { TestCase, TestFile } from './schema.js';
import { findSkip, SKIP_LIST } from './skip-list.js';

const file = (overrides: Partial<TestFile> = {}): TestFile => ({
  description: 'f',
  schemaVersion: '1.0',
  createEntities: [
    { client: { id: 'client0' } },
    { database: { id: 'db0', client: 'client0', databaseName: 'd' } },
  ],
  tests: [],
  ...overrides,
});

const test = (overrides: Partial<TestCase> = {}): TestCase => ({
  description: 't',
  operations: [{ name: 'runCommand', object: 'db0', arguments: { command: { ping: 1 } } }],
  ...overrides,
});

describe('skip rules', () => {
  it('lets a plain test run', () => {
    expect(findSkip('crud', 'x.json', file(), test())).toBeUndefined();
  });

  it('skips tests needing a fail point the server lacks, also inside withTransaction callbacks', () => {
    const t = test({
      operations: [
        {
          name: 'withTransaction',
          object: 'session0',
          arguments: {
            callback: [
              {
                name: 'failPoint',
                object: 'testRunner',
                arguments: {
                  client: 'client0',
                  failPoint: { configureFailPoint: 'hangBeforeTransactionCommit', mode: 'alwaysOn' },
                },
              },
            ],
          },
        },
      ],
    });
    const decision = findSkip('transactions', 'x.json', file(), t);
    expect(decision?.source).toBe('rule:fail-points');
    expect(decision?.reason).toContain('hangBeforeTransactionCommit');
  });

  it('runs tests whose fail points the server implements', () => {
    const t = test({
      operations: [
        {
          name: 'failPoint',
          object: 'testRunner',
          arguments: {
            client: 'client0',
            failPoint: { configureFailPoint: 'failCommand', mode: 'alwaysOn' },
          },
        },
      ],
    });
    expect(findSkip('transactions', 'x.json', file(), t)).toBeUndefined();
  });

  it('skips tests needing thread, bucket or clientEncryption entities', () => {
    const f = file({ createEntities: [{ client: { id: 'c' } }, { bucket: { id: 'b', database: 'd' } }] });
    expect(findSkip('crud', 'x.json', f, test())?.source).toBe('rule:unsupported-entities');
    const t = test({
      operations: [
        { name: 'createEntities', object: 'testRunner', arguments: { entities: [{ thread: { id: 't0' } }] } },
      ],
    });
    expect(findSkip('crud', 'x.json', file(), t)?.reason).toContain('thread');
  });

  it('skips log-message assertions and unknown operations', () => {
    expect(findSkip('crud', 'x.json', file(), test({ expectLogMessages: [] }))?.source).toBe(
      'rule:log-and-tracing-messages',
    );
    const t = test({ operations: [{ name: 'loop', object: 'testRunner', arguments: {} }] });
    expect(findSkip('crud', 'x.json', file(), t)?.reason).toContain('testRunner.loop');
  });

  it('skips clients that can only talk to a secondary', () => {
    const f = file({
      createEntities: [{ client: { id: 'c', uriOptions: { readPreference: 'secondary' } } }],
    });
    expect(findSkip('transactions', 'x.json', f, test())?.source).toBe('rule:needs-secondary');
    const primary = file({
      createEntities: [{ client: { id: 'c', uriOptions: { readPreference: 'primary' } } }],
    });
    expect(findSkip('transactions', 'x.json', primary, test())).toBeUndefined();
  });

  it('has a reason for every explicit entry', () => {
    for (const entry of SKIP_LIST) {
      expect(entry.reason.length).toBeGreaterThan(10);
      expect(entry.file.endsWith('.json')).toBe(true);
    }
  });
});
