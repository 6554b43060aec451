/**
 * What the oplog needs to know about collections, derived from the committed batches alone (the
 * same way at commit and at recovery, so recovered records equal the ones written): each
 * collection's UUID, its options (whether pre-images are kept) and its index specs (what a
 * dropIndexes event reports).
 */
import type { Binary, Document } from '../bson.js';
import type { CollectionImage, Mutation } from '../storage/engine.js';
import { dbOf } from './oplog-record.js';

export interface TrackedCollection {
  readonly uuid: Binary;
  readonly options: Document;
  /** Index specs by name (the `_id_` index is implicit). */
  readonly indexes: Map<string, Document>;
}

export class CollectionsTracker {
  private readonly byNs = new Map<string, TrackedCollection>();

  load(collections: readonly CollectionImage[]): void {
    for (const c of collections) {
      const indexes = new Map<string, Document>();
      for (const { spec } of c.indexes) indexes.set(String(spec.name), spec);
      this.byNs.set(c.ns, { uuid: c.uuid, options: c.options, indexes });
    }
  }

  get(ns: string): TrackedCollection | undefined {
    return this.byNs.get(ns);
  }

  /** Whether writes to `ns` keep pre- and post-images (`changeStreamPreAndPostImages`). */
  keepsImages(ns: string): boolean {
    const opt = this.byNs.get(ns)?.options.changeStreamPreAndPostImages;
    return opt !== null && typeof opt === 'object' && (opt as Document).enabled === true;
  }

  /** Namespaces of a database's collections, sorted (the order dropDatabase reports drops in). */
  namespacesOf(db: string): string[] {
    return [...this.byNs.keys()].filter((ns) => dbOf(ns) === db).sort();
  }

  /** Follows one committed mutation. */
  apply(m: Mutation): void {
    switch (m.op) {
      case 'createCollection':
        this.byNs.set(m.ns, { uuid: m.uuid, options: m.options, indexes: new Map() });
        return;
      case 'dropCollection':
        this.byNs.delete(m.ns);
        return;
      case 'dropDatabase':
        for (const ns of this.namespacesOf(m.db)) this.byNs.delete(ns);
        return;
      case 'renameCollection': {
        const c = this.byNs.get(m.from);
        this.byNs.delete(m.from);
        if (c) this.byNs.set(m.to, c);
        return;
      }
      case 'createIndex':
        this.byNs.get(m.ns)?.indexes.set(String(m.spec.name), m.spec);
        return;
      case 'dropIndex':
        this.byNs.get(m.ns)?.indexes.delete(m.name);
        return;
      case 'collMod':
        this.applyCollMod(m.ns, m.changes);
        return;
      case 'put':
      case 'delete':
        return;
    }
  }

  private applyCollMod(ns: string, changes: Document): void {
    const c = this.byNs.get(ns);
    if (!c) return;
    const options = { ...c.options };
    for (const [k, v] of Object.entries(changes)) {
      if (k === 'index') {
        const change = v as Document;
        const spec = c.indexes.get(String(change.name));
        if (!spec) continue;
        const next = { ...spec };
        if (change.expireAfterSeconds !== undefined) next.expireAfterSeconds = change.expireAfterSeconds;
        if (change.hidden === true) next.hidden = true;
        else if (change.hidden === false) delete next.hidden;
        c.indexes.set(String(change.name), next);
      } else {
        options[k] = v;
      }
    }
    this.byNs.set(ns, { ...c, options });
  }
}
