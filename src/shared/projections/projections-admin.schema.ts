/** OpenAPI schemas of the projections admin API responses (projections.service.ts). */
import {
  arrayOf,
  bool,
  dateTime,
  int,
  nullable,
  num,
  obj,
  oneOf,
  str,
  type SchemaObject,
} from '../http/openapi-schema.js';

export const REBUILD_PROGRESS_SCHEMA: SchemaObject = obj(
  {
    projection: str(),
    phase: oneOf(['preparing', 'replaying', 'catching-up', 'indexing', 'swapping', 'done', 'failed']),
    total: int(),
    processed: int(),
    startedAt: dateTime(),
    finishedAt: dateTime(),
    error: str(),
  },
  ['finishedAt', 'error'],
);

export const PROJECTION_STATUS_SCHEMA: SchemaObject = obj({
  name: str(),
  handles: arrayOf(str('An event type')),
  checkpoint: nullable(
    obj({
      lastEventId: nullable(str()),
      lastOccurredAt: nullable(dateTime()),
      lastPosition: nullable(str()),
      hasResumeToken: bool(),
      updatedAt: dateTime(),
    }),
  ),
  eventsBehind: {
    ...int(),
    description: 'Events waiting after the checkpoint, counted up to 10,000 (see eventsBehindCapped)',
  },
  eventsBehindCapped: { ...bool(), description: 'true: at least eventsBehind events wait' },
  lagMs: {
    ...num(),
    description: 'How far behind now (ms): 0 when no event waits, else the age of the oldest waiting event',
  },
  lastAppliedLagMs: {
    ...nullable(num()),
    description: 'Commit-to-application time of the last event applied here (ms)',
  },
  checkpointLagMs: nullable(num()),
  eventsPerSecond: num(),
  appliedHere: int(),
  deadLetters: int(),
  lease: nullable(
    obj({ holder: str(), expiresAt: dateTime(), renewedAt: dateTime(), mine: bool(), expired: bool() }),
  ),
  resync: obj({ running: bool(), state: str(), scans: int() }),
  rebuild: nullable(REBUILD_PROGRESS_SCHEMA),
});

export const DEAD_LETTER_SCHEMA: SchemaObject = obj(
  {
    id: str(),
    projection: str(),
    event: { type: 'object', description: 'The stored domain event that failed', additionalProperties: true },
    error: str(),
    attempts: int(),
    firstFailureAt: dateTime(),
    lastFailureAt: dateTime(),
    status: oneOf(['dead', 'resolved', 'discarded']),
    resolvedAt: dateTime(),
  },
  ['resolvedAt'],
);

export const VERIFY_REPORT_SCHEMA: SchemaObject = obj({
  projection: str(),
  differences: int(),
  samples: arrayOf(
    obj(
      {
        collection: str(),
        id: str(),
        kind: oneOf(['missing-in-live', 'extra-in-live', 'different']),
        live: { type: 'object', additionalProperties: true },
        expected: { type: 'object', additionalProperties: true },
      },
      ['live', 'expected'],
    ),
  ),
  events: int(),
  checkedAt: dateTime(),
});

export const VERIFY_JOB_SCHEMA: SchemaObject = obj({
  jobId: str(),
  status: oneOf(['running', 'completed', 'failed']),
  projections: arrayOf(str('A projection name')),
  startedAt: dateTime(),
  finishedAt: nullable(dateTime()),
  progress: nullable(
    obj({ projection: str(), phase: oneOf(['replaying', 'comparing']), total: int(), processed: int() }),
  ),
  reports: arrayOf(VERIFY_REPORT_SCHEMA),
  error: nullable(str()),
});
