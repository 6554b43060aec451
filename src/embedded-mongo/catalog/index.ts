/**
 * The catalog's public surface for commands/ and server.ts. The storage and MVCC model is
 * described at the top of catalog.ts.
 */
export {
  Catalog,
  type CatalogOptions,
  type CommitListener,
  type BeforeCommitHook,
  type CreateIndexesResult,
  type DatabaseInfo,
  type DurabilityOptions,
} from './catalog.js';
export { Collection, type ReadOptions } from './collection.js';
export { WriteUnit } from './write-unit.js';
export { Snapshot } from './snapshot.js';
export { ClusterClock, compareTimestamps } from './clock.js';
export { Scan, type ScanOptions, type ScanStats, type ExplainVerbosity } from './planner.js';
export type { IndexDescriptor } from './index-spec.js';
export type { KeyIndex } from './key-index.js';
