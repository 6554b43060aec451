/**
 * The write-model checks of a chaos run, read directly from the write database:
 * - every acknowledged command is there exactly once: its event (found by correlation id = its
 *   Idempotency-Key) exists once, on the right aggregate, at the version the client was told, and
 *   an acknowledged order exists once with the lines that were sent;
 * - a rejected command (definitive 4xx) left nothing: no event, and its idempotency record, if
 *   any, holds that same 4xx;
 * - no event of the run belongs to a command the clients were not told succeeded (unresolved
 *   ones excepted, and those at most once);
 * - the inventory invariant holds for every product.
 */
import type { Db } from 'mongodb';
import type { Fixtures } from './load.js';
import type { Ledger, LedgerEntry } from './ledger.js';

export interface CheckResult {
  acknowledged: number;
  rejected: number;
  unresolved: number;
  /** Acknowledged commands missing from the write model (must be 0). */
  lost: number;
  /** Commands whose effect is in the write model more than once (must be 0). */
  duplicated: number;
  /** Rejected commands that left a change (must be 0). */
  rejectedWithChange: number;
  inventoryViolations: number;
  /** Human-readable descriptions of every problem (at most 20). */
  problems: string[];
  /** Not failures: e.g. commands still unresolved when the retry budget was spent. */
  notes: string[];
}

interface EventRow {
  correlationId: string;
  type: string;
  aggregateId: string;
  aggregateVersion: number;
}

interface OrderRow {
  orderId: string;
  customerId: string;
  items: { productId: string; quantity: number }[];
}

const sameLines = (a: OrderRow['items'], b: OrderRow['items']): boolean => {
  const norm = (x: OrderRow['items']): string =>
    JSON.stringify([...x].map((i) => [i.productId, i.quantity]).sort());
  return norm(a) === norm(b);
};

export async function checkWriteModel(
  db: Db,
  ledger: Ledger,
  fixtures: Fixtures,
  runId: string,
): Promise<CheckResult> {
  const problems: string[] = [];
  const problem = (text: string): void => {
    if (problems.length < 20) problems.push(text);
  };
  const events = await db
    .collection<EventRow>('domain_events')
    .find(
      { correlationId: { $regex: `^${runId}-[0-9]+$` } },
      { projection: { _id: 0, correlationId: 1, type: 1, aggregateId: 1, aggregateVersion: 1 } },
    )
    .toArray();
  const byKey = new Map<string, EventRow[]>();
  for (const e of events) byKey.set(e.correlationId, [...(byKey.get(e.correlationId) ?? []), e]);

  const customers = fixtures.customers.map((c) => c.customerId);
  const orders = await db
    .collection<OrderRow>('orders')
    .find({ customerId: { $in: customers } }, { projection: { _id: 0, orderId: 1, customerId: 1, items: 1 } })
    .toArray();
  const ordersById = new Map<string, OrderRow[]>();
  for (const o of orders) ordersById.set(o.orderId, [...(ordersById.get(o.orderId) ?? []), o]);

  const result: CheckResult = {
    acknowledged: 0,
    rejected: 0,
    unresolved: 0,
    lost: 0,
    duplicated: 0,
    rejectedWithChange: 0,
    inventoryViolations: 0,
    problems,
    notes: [],
  };
  const known = new Set<string>();
  for (const entry of ledger.entries) {
    known.add(entry.key);
    const mine = byKey.get(entry.key) ?? [];
    const primary = mine.filter((e) => e.type === entry.eventType);
    if (entry.outcome === 'acknowledged') {
      result.acknowledged++;
      checkAcknowledged(entry, mine, primary, ordersById, result, problem);
    } else if (entry.outcome === 'rejected') {
      result.rejected++;
      if (mine.length > 0) {
        result.rejectedWithChange++;
        problem(
          `${entry.kind} ${entry.key} answered ${entry.status} ${entry.code} but left ${mine.length} event(s)`,
        );
      }
      const stored = await db
        .collection<{ state: string; response: { status: number } | null }>('idempotency_keys')
        .findOne({ key: entry.key });
      if (stored && stored.state === 'pending' && stored.response === null) {
        // The 4xx reached the client but storing it failed (the database was down): not a change
        // of the write model, and a retry with the key would take the key over and run it again.
        result.notes.push(
          `${entry.kind} ${entry.key} answered ${entry.status} ${entry.code}; its key stayed pending`,
        );
      } else if (stored && (stored.state !== 'completed' || stored.response?.status !== entry.status)) {
        result.rejectedWithChange++;
        problem(
          `${entry.kind} ${entry.key} answered ${entry.status} ${entry.code} (${entry.message}) but its idempotency record is ${stored.state} ${JSON.stringify(stored.response)}`,
        );
      }
    } else {
      result.unresolved++;
      result.notes.push(
        `unresolved ${entry.kind} ${entry.key} after ${entry.attempts} attempts: ${entry.retriedOn.join(', ')}`,
      );
      if (primary.length > 1) {
        result.duplicated++;
        problem(`unresolved ${entry.kind} ${entry.key} ran ${primary.length} times`);
      }
    }
  }
  for (const key of byKey.keys())
    if (!known.has(key)) {
      result.rejectedWithChange++;
      problem(`events of ${key}, a command no client was answered for`);
    }
  const placed = ledger.entries.filter((e) => e.kind === 'place-order');
  const placedIds = new Set(placed.map((e) => e.id).filter((id): id is string => id !== undefined));
  const unresolvedPlacements = placed.filter((e) => e.outcome === 'unresolved').length;
  const strayOrders = orders.filter((o) => !placedIds.has(o.orderId)).length;
  if (strayOrders > unresolvedPlacements) {
    result.rejectedWithChange += strayOrders - unresolvedPlacements;
    problem(
      `${strayOrders} orders exist that no acknowledged command created (${unresolvedPlacements} unresolved)`,
    );
  }
  const violations = await inventoryViolations(db);
  result.inventoryViolations = violations.length;
  for (const v of violations.slice(0, 5)) problem(`inventory invariant broken: ${JSON.stringify(v)}`);
  return result;
}

function checkAcknowledged(
  entry: LedgerEntry,
  mine: EventRow[],
  primary: EventRow[],
  ordersById: Map<string, OrderRow[]>,
  result: CheckResult,
  problem: (text: string) => void,
): void {
  if (primary.length === 0) {
    result.lost++;
    problem(
      `LOST: ${entry.kind} ${entry.key} answered ${entry.status} (${entry.id}@${entry.version}) but has no ${entry.eventType} event`,
    );
    return;
  }
  if (primary.length > 1) {
    result.duplicated++;
    problem(`DUPLICATE: ${entry.kind} ${entry.key} has ${primary.length} ${entry.eventType} events`);
  }
  const onAggregate = mine.filter((e) => e.aggregateId === entry.aggregateId);
  const top = Math.max(0, ...onAggregate.map((e) => e.aggregateVersion));
  if (
    primary[0].aggregateId !== entry.aggregateId ||
    (entry.kind !== 'update-address' && top !== entry.version)
  ) {
    result.lost++;
    problem(
      `${entry.kind} ${entry.key}: told ${entry.aggregateId}@${entry.version}, log has ${primary[0].aggregateId}@${top}`,
    );
  }
  if (entry.kind === 'place-order') {
    const found = ordersById.get(entry.id ?? '') ?? [];
    if (found.length !== 1) {
      result.lost++;
      problem(`order ${entry.id} (${entry.key}) is in the write model ${found.length} times`);
    } else if (found[0].customerId !== entry.customerId || !sameLines(found[0].items, entry.items ?? [])) {
      result.lost++;
      problem(`order ${entry.id} (${entry.key}) differs from what was sent`);
    }
  }
}

export interface InventoryViolation {
  productId: string;
  quantity: number;
  reserved: number;
  reservedByOrders: number;
}

/**
 * For every product: `reserved` equals the units of its pending and confirmed orders, and neither
 * `quantity` nor `reserved` is below 0 (the rule of test/e2e/helpers/write-model.ts, on a Db).
 */
export async function inventoryViolations(db: Db): Promise<InventoryViolation[]> {
  const held = await db
    .collection('orders')
    .aggregate<{ _id: string; n: number }>([
      { $match: { status: { $in: ['pending', 'confirmed'] } } },
      { $unwind: '$items' },
      { $group: { _id: '$items.productId', n: { $sum: '$items.quantity' } } },
    ])
    .toArray();
  const byProduct = new Map(held.map((h) => [h._id, h.n]));
  const products = await db
    .collection<{ productId: string; inventory: { quantity: number; reserved: number } }>('products')
    .find({}, { projection: { _id: 0, productId: 1, inventory: 1 } })
    .toArray();
  const out: InventoryViolation[] = [];
  for (const p of products) {
    const reservedByOrders = byProduct.get(p.productId) ?? 0;
    byProduct.delete(p.productId);
    const { quantity, reserved } = p.inventory;
    if (reserved !== reservedByOrders || quantity < 0 || reserved < 0)
      out.push({ productId: p.productId, quantity, reserved, reservedByOrders });
  }
  for (const [productId, n] of byProduct)
    out.push({ productId, quantity: 0, reserved: 0, reservedByOrders: n });
  return out;
}
