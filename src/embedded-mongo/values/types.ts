/**
 * BSON type identification for values as the server holds them (see ../bson.ts): wrapper
 * classes are recognised by their `_bsontype` tag, so a second copy of the bson package in the
 * process (the driver's) is handled the same way.
 */
export type BsonTypeName =
  | 'double'
  | 'string'
  | 'object'
  | 'array'
  | 'binData'
  | 'undefined'
  | 'objectId'
  | 'bool'
  | 'date'
  | 'null'
  | 'regex'
  | 'dbPointer'
  | 'javascript'
  | 'symbol'
  | 'javascriptWithScope'
  | 'int'
  | 'timestamp'
  | 'long'
  | 'decimal'
  | 'minKey'
  | 'maxKey'
  | 'missing';

/** `$type` numbers, as in the BSON spec and MongoDB's $type operator. */
export const TYPE_NUMBERS: Readonly<Record<Exclude<BsonTypeName, 'missing'>, number>> = Object.freeze({
  double: 1,
  string: 2,
  object: 3,
  array: 4,
  binData: 5,
  undefined: 6,
  objectId: 7,
  bool: 8,
  date: 9,
  null: 10,
  regex: 11,
  dbPointer: 12,
  javascript: 13,
  symbol: 14,
  javascriptWithScope: 15,
  int: 16,
  timestamp: 17,
  long: 18,
  decimal: 19,
  minKey: -1,
  maxKey: 127,
});

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export function bsonTag(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const tag = (v as { _bsontype?: unknown })._bsontype;
  return typeof tag === 'string' ? tag : undefined;
}

/** The BSON type a value has (or would be serialized as). `undefined` in JS means a missing field. */
export function bsonTypeOf(v: unknown): BsonTypeName {
  switch (typeof v) {
    case 'undefined':
      return 'missing';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'long';
    case 'number':
      return Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX ? 'int' : 'double';
    case 'function':
      return 'javascript';
    case 'symbol':
      return 'symbol';
    default:
      break;
  }
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  if (v instanceof Uint8Array) return 'binData';
  switch (bsonTag(v)) {
    case undefined:
      return 'object';
    case 'Int32':
      return 'int';
    case 'Double':
      return 'double';
    case 'Long':
      return 'long';
    case 'Decimal128':
      return 'decimal';
    case 'ObjectId':
    case 'ObjectID':
      return 'objectId';
    case 'Binary':
      return 'binData';
    case 'Timestamp':
      return 'timestamp';
    case 'BSONRegExp':
      return 'regex';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    case 'Code':
      return (v as { scope?: unknown }).scope ? 'javascriptWithScope' : 'javascript';
    case 'BSONSymbol':
    case 'Symbol':
      return 'symbol';
    case 'DBPointer':
      return 'dbPointer';
    case 'DBRef':
      return 'object';
    default:
      return 'object';
  }
}

export function isNumericType(t: BsonTypeName): boolean {
  return t === 'int' || t === 'long' || t === 'double' || t === 'decimal';
}

export function isNumeric(v: unknown): boolean {
  return isNumericType(bsonTypeOf(v));
}

/** A plain document (not an array, not a BSON value wrapper, not a Date/RegExp/binary). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return bsonTypeOf(v) === 'object';
}

/**
 * Rank of a type in MongoDB's cross-type comparison order:
 * MinKey < null/missing < numbers < string/symbol < object < array < binData < ObjectId < bool
 * < date < timestamp < regex < dbPointer < javascript < javascriptWithScope < MaxKey.
 */
export function canonicalRank(t: BsonTypeName): number {
  switch (t) {
    case 'minKey':
      return 1;
    case 'missing':
    case 'undefined':
    case 'null':
      return 2;
    case 'int':
    case 'long':
    case 'double':
    case 'decimal':
      return 3;
    case 'string':
    case 'symbol':
      return 4;
    case 'object':
      return 5;
    case 'array':
      return 6;
    case 'binData':
      return 7;
    case 'objectId':
      return 8;
    case 'bool':
      return 9;
    case 'date':
      return 10;
    case 'timestamp':
      return 11;
    case 'regex':
      return 12;
    case 'dbPointer':
      return 13;
    case 'javascript':
      return 14;
    case 'javascriptWithScope':
      return 15;
    case 'maxKey':
      return 16;
  }
}

/** Resolves a `$type` argument (number or alias, incl. 'number') to the set of type names it denotes. */
export function typeNamesForAlias(alias: unknown): BsonTypeName[] | undefined {
  if (alias === 'number') return ['int', 'long', 'double', 'decimal'];
  if (typeof alias === 'string') {
    return alias in TYPE_NUMBERS ? [alias as BsonTypeName] : undefined;
  }
  const n = numberValueOf(alias);
  if (n === undefined) return undefined;
  for (const [name, num] of Object.entries(TYPE_NUMBERS)) if (num === n) return [name as BsonTypeName];
  return undefined;
}

/** The JS number held by a numeric value (Int32/Double/Long/Decimal128/number/bigint), else undefined. */
export function numberValueOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const tag = bsonTag(v);
  if (tag === 'Int32' || tag === 'Double') return (v as { value: number }).value;
  if (tag === 'Long') return (v as { toNumber(): number }).toNumber();
  if (tag === 'Decimal128') return Number((v as { toString(): string }).toString());
  return undefined;
}
