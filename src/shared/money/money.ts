/**
 * Exact money. Amounts are decimal strings in the API, Decimal128 in MongoDB and decimal.js values
 * in code; never binary floating point. Rounding to cents is half-up (commercial rounding: 0.005
 * -> 0.01), applied once per computed tax amount; sums of rounded amounts are exact.
 */
import { Decimal } from 'decimal.js';
import { Decimal128 } from 'mongodb';

export const Dec = Decimal.clone({ precision: 34, rounding: Decimal.ROUND_HALF_UP });
export type Dec = InstanceType<typeof Dec>;

export const ZERO = new Dec(0);

/** A non-negative decimal with at most 2 fraction digits, as accepted from clients. */
export const MONEY_PATTERN = /^\d{1,12}(\.\d{1,2})?$/;

export function money(value: string | number | Dec | Decimal128): Dec {
  if (value instanceof Decimal128) return new Dec(value.toString());
  return new Dec(value);
}

/** Rounds to cents, half-up. */
export function toCents(d: Dec): Dec {
  return d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** Decimal128 with exactly two fraction digits ("12.30"). */
export function toDecimal128(d: Dec): Decimal128 {
  return Decimal128.fromString(toCents(d).toFixed(2));
}

/** "12.30" */
export function formatMoney(value: Dec | Decimal128): string {
  return toCents(value instanceof Decimal128 ? money(value) : value).toFixed(2);
}
