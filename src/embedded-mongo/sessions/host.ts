/** What the session layer needs from the server (ServerState provides it). */
import type { Catalog } from '../catalog/catalog.js';
import type { CursorManager } from '../cursors/cursor-manager.js';
import type { FailPointRegistry } from '../failpoints/fail-point-registry.js';
import type { ReleaseSignal } from './release-signal.js';
import type { SessionCatalog } from './session-catalog.js';
import type { SnapshotHistory } from './snapshot-history.js';

export interface SessionLayerHost {
  readonly catalog: Catalog;
  readonly cursors: CursorManager;
  readonly sessions: SessionCatalog;
  readonly failPoints: FailPointRegistry;
  readonly release: ReleaseSignal;
  readonly snapshots: SnapshotHistory;
  readonly transactionLifetimeLimitMs: number;
}
