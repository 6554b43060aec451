/**
 * The oplog: every committed batch as one record, persisted with the batch itself (see
 * oplog-engine.ts), with size/age retention. Change streams read it through `oplogOf(catalog)`.
 */
import type { Catalog } from '../catalog/catalog.js';
import { OplogEngine } from './oplog-engine.js';
import type { Oplog } from './oplog.js';

export { OplogEngine, type OplogEngineOptions } from './oplog-engine.js';
export { Oplog, type RetentionOptions } from './oplog.js';
export type { OplogOp, OplogRecord } from './oplog-record.js';

/** Default retention: 192 MiB of records, no age limit. */
export const DEFAULT_OPLOG_SIZE_MB = 192;

/** The oplog of a catalog opened on an OplogEngine (undefined otherwise: no change streams). */
export function oplogOf(catalog: Catalog): Oplog | undefined {
  return catalog.engine instanceof OplogEngine ? catalog.engine.oplog : undefined;
}
