/** Grouping a batch's events, as the projections' batch steps need it. */
import type { StoredEvent } from './projection.js';

/**
 * The events of the given types grouped by aggregate, each group in aggregate-version order
 * (duplicates kept: the projections' version guards ignore them).
 */
export function byAggregate(
  events: readonly StoredEvent[],
  types: ReadonlySet<string>,
): Map<string, StoredEvent[]> {
  const out = new Map<string, StoredEvent[]>();
  for (const e of events) {
    if (!types.has(e.type)) continue;
    const list = out.get(e.aggregateId);
    if (list) list.push(e);
    else out.set(e.aggregateId, [e]);
  }
  for (const list of out.values()) list.sort((a, b) => a.aggregateVersion - b.aggregateVersion);
  return out;
}
