/**
 * The source of a pipeline that starts with `{$match: {... $text ...}}`: the matching documents
 * through the planner (like find), each handed on as a shallow copy carrying its text score as
 * document metadata when a later stage reads `{$meta: 'textScore'}`. Copies, not the stored
 * documents: metadata lives in a WeakMap keyed by object, and two concurrent searches over the
 * same documents must not see each other's scores.
 */
import type { Document } from '../../bson.js';
import { MongoCommandError } from '../../errors.js';
import type { Collection, ReadOptions } from '../../catalog/collection.js';
import { setDocumentMetadata } from '../../aggregation/metadata.js';
import { textIndexRequired, textSearchFor, type TextSearch } from '../../text/index.js';
import { openScan, type QuerySpec } from './query-options.js';

function* withScores(docs: Iterable<Document>, text: TextSearch): Generator<Document> {
  for (const doc of docs) {
    const copy = { ...doc };
    const textScore = text.score(doc);
    if (textScore !== undefined) setDocumentMetadata(copy, { textScore });
    yield copy;
  }
}

/** Whether a stage mentions 'textScore' anywhere (the only way to read the score is $meta). */
function mentionsTextScore(v: unknown): boolean {
  if (v === 'textScore') return true;
  if (Array.isArray(v)) return v.some(mentionsTextScore);
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype)
    return Object.values(v).some(mentionsTextScore);
  return false;
}

/**
 * Compiles the `$match` now (errors surface with the command) and returns its matches, scored
 * when one of the `rest` stages reads the score.
 */
export function scoredTextMatches(
  coll: Collection,
  spec: QuerySpec,
  read: ReadOptions,
  rest: readonly Document[],
): Iterable<Document> {
  const text = spec.text ?? textSearchFor(coll, spec.filter, coll.ns);
  const scan = openScan(coll, { ...spec, text }, read);
  return text && mentionsTextScore(rest) ? withScores(scan, text) : scan;
}

/**
 * PipelineContext.textMatcher for what reaches the pipeline: a leading `$text` $match never does
 * when the collection exists (scoredTextMatches serves it), so a `$text` the pipeline meets at its
 * first stage either followed pushed-down stages (not first: 17313) or names a missing collection
 * (IndexNotFound, as mongod's "no such collection").
 */
export function unservedTextMatcher(pushedDown: number, ns: string): (text: Document) => never {
  return () => {
    if (pushedDown > 0) {
      throw new MongoCommandError(17313, '$match with $text is only allowed as the first pipeline stage');
    }
    throw textIndexRequired(ns);
  };
}
