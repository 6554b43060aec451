/**
 * Applies one update statement (of `update`, or `findAndModify`) inside a write unit: finds the
 * matching documents, applies the update to each, and upserts when nothing matched. Shared so the
 * two commands cannot drift apart.
 */
import type { Document } from '../../bson.js';
import type { WriteUnit } from '../../catalog/write-unit.js';
import type { ServerState } from '../../server-state.js';
import { mongoError } from '../../errors.js';
import {
  applyParsedUpdate,
  buildUpsertSeed,
  finalizeUpsertDocument,
  validateUpdate,
  type ParsedUpdate,
  type PipelineRunner,
} from '../../update/index.js';
import { isPlainObject } from '../../values/types.js';
import { checkStorable } from './document-checks.js';
import { openScan, type QuerySpec } from './query-options.js';
import type { DocumentValidator } from './validation.js';

export interface UpdateStatement {
  query: QuerySpec;
  update: ParsedUpdate;
  arrayFilters?: Document[];
  upsert: boolean;
  multi: boolean;
}

export interface UpdateOutcome {
  matched: number;
  modified: number;
  upsertedId?: unknown;
  /** The first matched (or upserted) document before and after the update (findAndModify). */
  before: Document | null;
  after: Document | null;
}

export function parseUpdateArg(
  u: unknown,
  arrayFilters: unknown,
  multi: boolean,
): { parsed: ParsedUpdate; arrayFilters?: Document[] } {
  if (!isPlainObject(u) && !Array.isArray(u)) {
    throw mongoError('FailedToParse', 'Update argument must be either an object or an array');
  }
  let filters: Document[] | undefined;
  if (arrayFilters !== undefined && arrayFilters !== null) {
    if (!Array.isArray(arrayFilters) || !arrayFilters.every(isPlainObject)) {
      throw mongoError('TypeMismatch', "BSON field 'arrayFilters' must be an array of objects");
    }
    filters = arrayFilters as Document[];
  }
  const parsed = validateUpdate(u, { arrayFilters: filters });
  if (multi && parsed.kind === 'replacement') {
    throw mongoError('FailedToParse', 'multi update is not supported for replacement-style update');
  }
  return { parsed, arrayFilters: filters };
}

export function applyUpdateStatement(
  server: ServerState,
  unit: WriteUnit,
  ns: string,
  st: UpdateStatement,
  validate: DocumentValidator,
  runPipeline: PipelineRunner,
): UpdateOutcome {
  const [db, ...rest] = ns.split('.');
  const coll = server.catalog.getCollection(db, rest.join('.'));
  const outcome: UpdateOutcome = { matched: 0, modified: 0, before: null, after: null };
  const options = {
    arrayFilters: st.arrayFilters,
    query: st.query.filter,
    runPipeline,
    variables: st.query.variables,
  };
  if (coll) {
    const scan = openScan(coll, { ...st.query, limit: st.multi ? undefined : 1 }, { unit });
    // Collect first: updating while iterating an index could meet the same document twice.
    const targets = [...scan];
    for (const doc of targets) {
      const r = applyParsedUpdate(doc, st.update, options);
      outcome.matched++;
      if (outcome.matched === 1) {
        outcome.before = doc;
        outcome.after = r.doc;
      }
      if (!r.modified) continue;
      checkStorable(r.doc);
      validate(r.doc, doc);
      const update =
        r.kind === 'replacement'
          ? undefined
          : { ...r.updateDescription, disambiguatedPaths: r.disambiguatedPaths };
      unit.replace(ns, doc._id, r.doc, update);
      outcome.modified++;
    }
  }
  if (outcome.matched === 0 && st.upsert) {
    const seed = buildUpsertSeed(st.query.filter, { replacementStyle: st.update.kind === 'replacement' });
    const r = applyParsedUpdate(seed, st.update, { ...options, isUpsertInsert: true });
    const doc = finalizeUpsertDocument(r.doc);
    checkStorable(doc);
    validate(doc, null);
    unit.insert(ns, doc);
    outcome.upsertedId = doc._id;
    outcome.after = doc;
  }
  return outcome;
}
