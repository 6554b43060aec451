/**
 * Change streams: `aggregate` with a leading `$changeStream` stage, served from the oplog
 * (../oplog). The command layer calls `runChangeStreamAggregate`; getMore goes through the cursor
 * manager like any tailable awaitData cursor.
 */
export { isChangeStreamPipeline, runChangeStreamAggregate } from './change-stream-aggregate.js';
export { isResumableChangeStreamCode, labelGetMoreError, RESUMABLE_LABEL } from './error-labels.js';
export { decodeToken, encodeToken, type StreamPosition } from './resume-token.js';
