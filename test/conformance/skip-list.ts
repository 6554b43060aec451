/**
 * THE list of spec tests skipped on purpose, each with the missing feature as the reason. Two kinds:
 *
 * - SKIP_RULES recognise whole families by what a test needs (fail points, thread entities, log
 *   message assertions...). They apply only to tests that are otherwise applicable.
 * - SKIP_LIST names single tests (or whole files, when `test` is omitted) by suite, file and test
 *   description, for anything a rule cannot express.
 *
 * Honesty rule: a test goes here because something it needs does not exist yet (in the server or
 * in this runner), never because it fails. A failing test is reported as a failure.
 */
import { allOperations } from './spec-loader.js';
import { eventCategory } from './events.js';
import { isSupportedOperationName } from './operations/index.js';
import type { EntityDescription, OperationDescription, TestCase, TestFile } from './schema.js';
import { isRecord } from './values.js';

export interface SkipListEntry {
  readonly suite: string;
  /** File name, e.g. 'find.json'. */
  readonly file: string;
  /** Test description; omit to skip the whole file. */
  readonly test?: string;
  /** The missing feature. */
  readonly reason: string;
}

const BYPASS_FALSE =
  'Node driver 7.8 only sends bypassDocumentValidation when true (NODE-6484; bulk/common.js, find_and_modify.js, aggregate.js)';
const NULL_ID =
  'Node driver 7.8 replaces a null _id with a new ObjectId before sending (NODE-6468; utils.js, client_bulk_write/command_builder.js)';
const PARTIAL_RESULT =
  'Node driver 7.8 always sets partialResult on MongoClientBulkWriteError, even when nothing succeeded (NODE-6384)';

const TRANSACTIONAL_DDL =
  "DDL inside a transaction (create, createIndexes, a collection created by an insert) is applied at once, not at commit: the embedded server's catalog does not version DDL";
const SHARED_READ_CONCERN =
  "Node driver 7.8 reuses the transaction's readConcern object and later adds afterClusterTime to it, changing an earlier command event (NODE-5924)";

function each(suite: string, file: string, tests: readonly string[], reason: string): SkipListEntry[] {
  return tests.map((test) => ({ suite, file, test, reason }));
}

export const SKIP_LIST: readonly SkipListEntry[] = [
  // Driver limitations: the test cannot pass through the Node driver whatever the server does.
  {
    suite: 'crud',
    file: 'bypassDocumentValidation.json',
    test: 'Aggregate with $out passes bypassDocumentValidation: false',
    reason: BYPASS_FALSE,
  },
  {
    suite: 'crud',
    file: 'bypassDocumentValidation.json',
    test: 'BulkWrite passes bypassDocumentValidation: false',
    reason: BYPASS_FALSE,
  },
  {
    suite: 'crud',
    file: 'bypassDocumentValidation.json',
    test: 'FindOneAndReplace passes bypassDocumentValidation: false',
    reason: BYPASS_FALSE,
  },
  {
    suite: 'crud',
    file: 'bypassDocumentValidation.json',
    test: 'FindOneAndUpdate passes bypassDocumentValidation: false',
    reason: BYPASS_FALSE,
  },
  {
    suite: 'crud',
    file: 'bypassDocumentValidation.json',
    test: 'InsertMany passes bypassDocumentValidation: false',
    reason: BYPASS_FALSE,
  },
  {
    suite: 'crud',
    file: 'create-null-ids.json',
    test: 'inserting _id with type null via insertOne',
    reason: NULL_ID,
  },
  {
    suite: 'crud',
    file: 'create-null-ids.json',
    test: 'inserting _id with type null via insertMany',
    reason: NULL_ID,
  },
  {
    suite: 'crud',
    file: 'create-null-ids.json',
    test: 'inserting _id with type null via bulkWrite',
    reason: NULL_ID,
  },
  {
    suite: 'crud',
    file: 'create-null-ids.json',
    test: 'inserting _id with type null via clientBulkWrite',
    reason: NULL_ID,
  },
  {
    suite: 'crud',
    file: 'client-bulkWrite-partialResults.json',
    test: 'partialResult is unset when first operation fails during an ordered bulk write (verbose)',
    reason: PARTIAL_RESULT,
  },
  {
    suite: 'crud',
    file: 'client-bulkWrite-partialResults.json',
    test: 'partialResult is unset when first operation fails during an ordered bulk write (summary)',
    reason: PARTIAL_RESULT,
  },
  {
    suite: 'crud',
    file: 'client-bulkWrite-partialResults.json',
    test: 'partialResult is unset when all operations fail during an unordered bulk write',
    reason: PARTIAL_RESULT,
  },
  ...each(
    'transactions',
    'transaction-options.json',
    [
      'transaction options inherited from client',
      'transaction options inherited from defaultTransactionOptions',
      'defaultTransactionOptions override client options',
      'readConcern local in defaultTransactionOptions',
    ],
    SHARED_READ_CONCERN,
  ),
  // Missing server features.
  ...each(
    'transactions',
    'create-collection.json',
    ['explicitly create collection using create command', 'implicitly create collection using insert'],
    TRANSACTIONAL_DDL,
  ),
  ...each(
    'transactions',
    'create-index.json',
    [
      'create index on a non-existing collection',
      'create index on a collection created within the same transaction',
    ],
    TRANSACTIONAL_DDL,
  ),
];

interface SkipRule {
  readonly id: string;
  /** A reason when the rule applies to this test, else undefined. */
  check(file: TestFile, test: TestCase): string | undefined;
}

const FAIL_POINT_OPERATIONS = new Set(['failPoint', 'targetedFailPoint']);

/**
 * Fail points the embedded server implements (configureFailPoint with enableTestCommands, see
 * src/embedded-mongo/failpoints). Tests needing any other fail point are skipped by the
 * 'fail-points' rule; add a name here when the server gains it.
 */
export const SERVER_FAIL_POINTS: readonly string[] = [
  'failCommand',
  'failGetMoreAfterCursorCheckout',
  'onPrimaryTransactionalWrite',
];
const UNSUPPORTED_ENTITIES = new Set(['thread', 'bucket', 'clientEncryption']);
const UNSUPPORTED_CLIENT_FIELDS = ['autoEncryptOpts', 'storeEventsAsEntities', 'awaitMinPoolSizeMS'];

function entityDescriptions(file: TestFile, test: TestCase): EntityDescription[] {
  const fromOperations = allOperations(test.operations)
    .filter((op) => op.object === 'testRunner' && op.name === 'createEntities')
    .flatMap((op) =>
      Array.isArray(op.arguments?.['entities']) ? (op.arguments['entities'] as EntityDescription[]) : [],
    );
  return [...(file.createEntities ?? []), ...fromOperations];
}

function failPointName(op: OperationDescription): string | undefined {
  const args = op.arguments ?? {};
  if (FAIL_POINT_OPERATIONS.has(op.name)) {
    const fp: unknown = args['failPoint'];
    return isRecord(fp) && typeof fp['configureFailPoint'] === 'string'
      ? fp['configureFailPoint']
      : 'unknown';
  }
  const command: unknown = args['command'];
  if (op.name === 'runCommand' && isRecord(command) && typeof command['configureFailPoint'] === 'string') {
    return command['configureFailPoint'];
  }
  return undefined;
}

export const SKIP_RULES: readonly SkipRule[] = [
  {
    id: 'fail-points',
    check(_file, test) {
      const names = [
        ...new Set(allOperations(test.operations).flatMap((op) => failPointName(op) ?? [])),
      ].filter((name) => !SERVER_FAIL_POINTS.includes(name));
      return names.length === 0
        ? undefined
        : `needs fail point(s) ${names.join(', ')} (configureFailPoint), not in SERVER_FAIL_POINTS`;
    },
  },
  {
    id: 'unsupported-entities',
    check(file, test) {
      const kinds = [...new Set(entityDescriptions(file, test).flatMap((e) => Object.keys(e)))].filter((k) =>
        UNSUPPORTED_ENTITIES.has(k),
      );
      return kinds.length === 0
        ? undefined
        : `needs ${kinds.join(', ')} entities, which this runner does not support`;
    },
  },
  {
    id: 'unsupported-client-options',
    check(file, test) {
      const fields = entityDescriptions(file, test)
        .flatMap((e) => (isRecord(e['client']) ? Object.keys(e['client']) : []))
        .filter((f) => UNSUPPORTED_CLIENT_FIELDS.includes(f));
      return fields.length === 0
        ? undefined
        : `needs client option ${[...new Set(fields)].join(', ')}, not supported by this runner`;
    },
  },
  {
    // The driver's connect() selects a server with the client's read preference; a single-node
    // replica set has no secondary, so such a client never connects (a real one-node mongod neither).
    id: 'needs-secondary',
    check(file, test) {
      const wantsSecondary = entityDescriptions(file, test).some((e) => {
        const client = e['client'];
        const uriOptions: unknown = isRecord(client) ? client['uriOptions'] : undefined;
        return isRecord(uriOptions) && uriOptions['readPreference'] === 'secondary';
      });
      return wantsSecondary
        ? 'needs a replica-set secondary (client readPreference secondary); a single-node replica set has none'
        : undefined;
    },
  },
  {
    // sessions.js (7.8) applies { wtimeoutMS: 10000, ...wc } to every commitTransaction and
    // abortTransaction whose transaction has a write concern; the transactions spec wants the
    // added wtimeout on retried commits only. The driver's own runner does not check nested
    // documents for extra keys, so it does not notice.
    id: 'driver-commit-wtimeout',
    check(_file, test) {
      const expectsBareWriteConcern = (test.expectEvents ?? []).some((e) =>
        e.events.some((ev) => {
          const started: unknown = ev['commandStartedEvent'];
          const command: unknown = isRecord(started) ? started['command'] : undefined;
          if (
            !isRecord(command) ||
            (command['commitTransaction'] === undefined && command['abortTransaction'] === undefined)
          ) {
            return false;
          }
          const wc = command['writeConcern'];
          return (
            isRecord(wc) && !Object.keys(wc).some((k) => k.startsWith('$$')) && wc['wtimeout'] === undefined
          );
        }),
      );
      return expectsBareWriteConcern
        ? 'expects commitTransaction/abortTransaction with a write concern but no wtimeout; Node driver 7.8 always adds wtimeout: 10000 there (sessions.js)'
        : undefined;
    },
  },
  {
    id: 'log-and-tracing-messages',
    check(_file, test) {
      if (test.expectLogMessages !== undefined)
        return 'asserts log messages (expectLogMessages), not supported by this runner';
      if (test.expectTracingMessages !== undefined)
        return 'asserts tracing spans (expectTracingMessages), not supported by this runner';
      return undefined;
    },
  },
  {
    id: 'sdam-events',
    check(_file, test) {
      const sdam = (test.expectEvents ?? []).some(
        (e) =>
          e.eventType === 'sdam' ||
          e.events.some((ev) => Object.keys(ev).some((k) => eventCategory(k) === 'sdam')),
      );
      return sdam ? 'asserts SDAM events, not supported by this runner' : undefined;
    },
  },
  {
    id: 'unsupported-operations',
    check(_file, test) {
      const missing = [
        ...new Set(
          allOperations(test.operations)
            .filter((op) => !isSupportedOperationName(op.name, op.object))
            .map((op) => (op.object === 'testRunner' ? `testRunner.${op.name}` : op.name)),
        ),
      ];
      return missing.length === 0
        ? undefined
        : `uses operation(s) ${missing.join(', ')}, not implemented by this runner`;
    },
  },
];

export interface SkipDecision {
  readonly reason: string;
  /** 'list:<index>' or 'rule:<id>', to report which entry matched. */
  readonly source: string;
}

/** Why this (applicable) test is skipped on purpose, or undefined when it must run. */
export function findSkip(
  suite: string,
  fileName: string,
  file: TestFile,
  test: TestCase,
): SkipDecision | undefined {
  const index = SKIP_LIST.findIndex(
    (e) => e.suite === suite && e.file === fileName && (e.test === undefined || e.test === test.description),
  );
  if (index >= 0) return { reason: SKIP_LIST[index]!.reason, source: `list:${index}` };
  for (const rule of SKIP_RULES) {
    const reason = rule.check(file, test);
    if (reason !== undefined) return { reason, source: `rule:${rule.id}` };
  }
  return undefined;
}
