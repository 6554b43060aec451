/**
 * Collects what an update changed, in the shape change streams report it
 * (`updateDescription: {updatedFields, removedFields, truncatedArrays}`), following what mongod
 * logs in its $v:2 oplog entries: the deepest existing path that changed, a newly created
 * subtree as one field, appended array elements one by one, removed fields by path.
 */
import type { Document } from '../bson.js';
import type { RuntimePart } from './operators/index.js';

export interface TruncatedArray {
  field: string;
  newSize: number;
}

export interface UpdateDescription {
  updatedFields: Document;
  removedFields: string[];
  truncatedArrays: TruncatedArray[];
}

export function emptyDescription(): UpdateDescription {
  return { updatedFields: {}, removedFields: [], truncatedArrays: [] };
}

function dotted(parts: readonly RuntimePart[]): string {
  return parts.map((p) => p.name).join('.');
}

/** A path is ambiguous when a field name looks like an array index or contains a dot. */
function isAmbiguous(parts: readonly RuntimePart[]): boolean {
  return parts.some((p) => !p.isIndex && (/^[0-9]+$/.test(p.name) || p.name.includes('.')));
}

function setField(doc: Document, key: string, value: unknown): void {
  Object.defineProperty(doc, key, { value, enumerable: true, writable: true, configurable: true });
}

export class ChangeRecorder {
  private readonly updated = new Map<string, { parts: readonly RuntimePart[]; value: unknown }>();
  private readonly removed = new Map<string, readonly RuntimePart[]>();
  private readonly truncated: { parts: readonly RuntimePart[]; newSize: number }[] = [];

  update(parts: readonly RuntimePart[], value: unknown): void {
    const key = dotted(parts);
    this.removed.delete(key);
    this.updated.set(key, { parts, value });
  }

  remove(parts: readonly RuntimePart[]): void {
    const key = dotted(parts);
    this.updated.delete(key);
    this.removed.set(key, parts);
  }

  truncate(parts: readonly RuntimePart[], newSize: number): void {
    this.truncated.push({ parts, newSize });
  }

  description(): UpdateDescription {
    const updatedFields: Document = {};
    for (const [key, { value }] of this.updated) setField(updatedFields, key, value);
    return {
      updatedFields,
      removedFields: [...this.removed.keys()],
      truncatedArrays: this.truncated.map((t) => ({ field: dotted(t.parts), newSize: t.newSize })),
    };
  }

  /**
   * change streams' `disambiguatedPaths` (shown with showExpandedEvents): for each reported
   * path that is ambiguous, its components, array indexes as numbers.
   */
  disambiguatedPaths(): Document {
    const out: Document = {};
    const all: (readonly RuntimePart[])[] = [
      ...[...this.updated.values()].map((u) => u.parts),
      ...this.removed.values(),
      ...this.truncated.map((t) => t.parts),
    ];
    for (const parts of all) {
      if (isAmbiguous(parts))
        setField(
          out,
          dotted(parts),
          parts.map((p) => (p.isIndex ? Number(p.name) : p.name)),
        );
    }
    return out;
  }
}
