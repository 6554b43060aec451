/**
 * Per-document metadata that is not part of the document ($meta: textScore, randVal,
 * searchScore, sortKey, indexKey). Whoever produces documents with metadata (the command layer
 * for $text queries, $sample for randVal) attaches it with `setDocumentMetadata`; `$meta` and
 * `{$meta: ...}` sort keys read it. Kept in a WeakMap so documents stay plain BSON objects.
 */
import type { Document } from '../bson.js';

export interface DocumentMetadata {
  textScore?: number;
  randVal?: number;
  searchScore?: number;
  searchHighlights?: unknown;
  sortKey?: unknown;
  indexKey?: Document;
  recordId?: unknown;
  geoNearDistance?: number;
  geoNearPoint?: unknown;
}

const store = new WeakMap<object, DocumentMetadata>();

export function setDocumentMetadata(doc: Document, meta: DocumentMetadata): void {
  store.set(doc, { ...store.get(doc), ...meta });
}

export function getDocumentMetadata(doc: unknown): DocumentMetadata | undefined {
  return typeof doc === 'object' && doc !== null ? store.get(doc) : undefined;
}

/** Carries metadata over to a document derived from `from` (projections keep $meta values). */
export function copyDocumentMetadata(from: Document, to: Document): void {
  const m = store.get(from);
  if (m) store.set(to, m);
}
