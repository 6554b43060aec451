/**
 * MongoDB's comparison of BSON values: one total order across all types (canonical type rank
 * first, see types.ts), then within a type. Used by query operators, sorts, indexes, $min/$max,
 * and equality everywhere (so 1, 1.0, NumberLong(1) and Decimal128("1.0") are equal).
 */
import { bsonTag, bsonTypeOf, canonicalRank, type BsonTypeName } from './types.js';
import { compareNumeric } from './numeric.js';

/** Binary (UTF-8 byte) order of two strings, as MongoDB compares strings with the simple collation. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    // A surrogate encodes a code point >= 0x10000, above every BMP character in UTF-8 order.
    if (sa !== sb) return sa ? 1 : -1;
    return ca < cb ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function bytesOf(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  const b = v as { buffer?: Uint8Array; value?: (asRaw?: boolean) => Uint8Array; position?: number };
  if (b.buffer instanceof Uint8Array) {
    return typeof b.position === 'number' ? b.buffer.subarray(0, b.position) : b.buffer;
  }
  return new Uint8Array();
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
}

function subtypeOf(v: unknown): number {
  if (v instanceof Uint8Array) return 0;
  return (v as { sub_type?: number }).sub_type ?? 0;
}

/** js-bson 7 keeps an ObjectId as four 24-bit big-endian parts (`id` allocates a copy). */
interface ObjectIdParts {
  i0: number;
  i1: number;
  i2: number;
  i3: number;
}

function hasParts(v: unknown): v is ObjectIdParts {
  return typeof (v as Partial<ObjectIdParts>).i3 === 'number';
}

/** Byte order of two ObjectIds, without allocating (an index seek compares many). */
function compareObjectIds(a: unknown, b: unknown): number {
  if (hasParts(a) && hasParts(b)) {
    return sign(a.i0 - b.i0 || a.i1 - b.i1 || a.i2 - b.i2 || a.i3 - b.i3);
  }
  return compareBytes(objectIdBytes(a), objectIdBytes(b));
}

function objectIdBytes(v: unknown): Uint8Array {
  const o = v as { id?: Uint8Array; toHexString(): string };
  if (o.id instanceof Uint8Array) return o.id;
  return Buffer.from(o.toHexString(), 'hex');
}

function regexParts(v: unknown): [string, string] {
  if (v instanceof RegExp) return [v.source, v.flags];
  const r = v as { pattern: string; options: string };
  return [r.pattern, r.options];
}

function timestampParts(v: unknown): [number, number] {
  const t = v as { t?: number; i?: number; high?: number; low?: number };
  if (typeof t.t === 'number' && typeof t.i === 'number') return [t.t, t.i];
  return [(t.high ?? 0) >>> 0, (t.low ?? 0) >>> 0];
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Entries of a document as MongoDB sees them (DBRef exposes $ref/$id/$db). */
export function documentEntries(v: unknown): [string, unknown][] {
  if (bsonTag(v) === 'DBRef') {
    const r = v as { collection: string; oid: unknown; db?: string; fields?: Record<string, unknown> };
    const out: [string, unknown][] = [
      ['$ref', r.collection],
      ['$id', r.oid],
    ];
    if (r.db) out.push(['$db', r.db]);
    if (r.fields) out.push(...Object.entries(r.fields));
    return out;
  }
  return Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
}

function compareDocuments(a: unknown, b: unknown): number {
  const ea = documentEntries(a);
  const eb = documentEntries(b);
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) {
    const [ka, va] = ea[i];
    const [kb, vb] = eb[i];
    const ra = canonicalRank(bsonTypeOf(va));
    const rb = canonicalRank(bsonTypeOf(vb));
    if (ra !== rb) return ra < rb ? -1 : 1;
    const kc = compareStrings(ka, kb);
    if (kc !== 0) return kc;
    const vc = compareValues(va, vb);
    if (vc !== 0) return vc;
  }
  return sign(ea.length - eb.length);
}

function compareArrays(a: unknown[], b: unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return sign(a.length - b.length);
}

function compareSameRank(ta: BsonTypeName, a: unknown, b: unknown): number {
  switch (ta) {
    case 'minKey':
    case 'maxKey':
    case 'missing':
    case 'undefined':
    case 'null':
      return 0;
    case 'int':
    case 'long':
    case 'double':
    case 'decimal':
      return compareNumeric(a, b);
    case 'string':
    case 'symbol':
      return compareStrings(
        String(typeof a === 'string' ? a : (a as { value: string }).value),
        String(typeof b === 'string' ? b : (b as { value: string }).value),
      );
    case 'object':
      return compareDocuments(a, b);
    case 'array':
      return compareArrays(a as unknown[], b as unknown[]);
    case 'binData': {
      const ba = bytesOf(a);
      const bb = bytesOf(b);
      if (ba.length !== bb.length) return ba.length < bb.length ? -1 : 1;
      const st = subtypeOf(a) - subtypeOf(b);
      if (st !== 0) return sign(st);
      return compareBytes(ba, bb);
    }
    case 'objectId':
      return compareObjectIds(a, b);
    case 'bool':
      return a === b ? 0 : a ? 1 : -1;
    case 'date':
      return sign((a as Date).getTime() - (b as Date).getTime());
    case 'timestamp': {
      const [at, ai] = timestampParts(a);
      const [bt, bi] = timestampParts(b);
      return at !== bt ? sign(at - bt) : sign(ai - bi);
    }
    case 'regex': {
      const [pa, fa] = regexParts(a);
      const [pb, fb] = regexParts(b);
      return compareStrings(pa, pb) || compareStrings(fa, fb);
    }
    case 'javascript':
    case 'javascriptWithScope':
      return compareStrings(String((a as { code: unknown }).code), String((b as { code: unknown }).code));
    case 'dbPointer':
      return 0;
  }
}

/** The value of a JS number, Int32 or Double (exact as a double); undefined for anything else. */
function plainNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null) {
    const tag = (v as { _bsontype?: unknown })._bsontype;
    if (tag === 'Int32' || tag === 'Double') return (v as { value: number }).value;
  }
  return undefined;
}

/** Compares two BSON values in MongoDB's order. JS `undefined` (a missing field) ranks as null. */
export function compareValues(a: unknown, b: unknown): number {
  // Fast paths (index keys are mostly these): same result as the general path below.
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  const x = plainNumber(a);
  if (x !== undefined) {
    const y = plainNumber(b);
    if (y !== undefined) {
      if (x !== x || y !== y) return x !== x ? (y !== y ? 0 : -1) : 1; // NaN first
      return x < y ? -1 : x > y ? 1 : 0;
    }
  } else if (a instanceof Date && b instanceof Date) {
    return sign(a.getTime() - b.getTime());
  }
  const ta = bsonTypeOf(a);
  const tb = bsonTypeOf(b);
  const ra = canonicalRank(ta);
  const rb = canonicalRank(tb);
  if (ra !== rb) return ra < rb ? -1 : 1;
  return compareSameRank(ta, a, b);
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  return compareValues(a, b) === 0;
}
