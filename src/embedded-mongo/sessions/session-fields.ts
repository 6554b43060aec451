/**
 * The operation-session fields of a command (`lsid`, `txnNumber`, `autocommit`,
 * `startTransaction`), validated the way mongod's initializeOperationSessionInfo does, before
 * anything else looks at them.
 */
import { Binary, type Document } from '../bson.js';
import { mongoError } from '../errors.js';
import { keyString } from '../values/keystring.js';
import { bsonTypeOf, isPlainObject, numberValueOf } from '../values/types.js';

export interface SessionFields {
  /** `lsid.id` (a UUID), when the command runs in a session. */
  readonly lsidId?: Binary;
  /** keyString of `lsid.id`: the key of the session everywhere in the server. */
  readonly sessionKey?: string;
  readonly txnNumber?: number;
  /** Present (and then false) only for commands of a multi-document transaction. */
  readonly autocommit?: false;
  readonly startTransaction?: true;
}

export const NO_SESSION: SessionFields = Object.freeze({});

function readLsid(lsid: unknown): Binary {
  if (!isPlainObject(lsid)) {
    throw mongoError(
      'TypeMismatch',
      `BSON field 'OperationSessionInfo.lsid' is the wrong type '${bsonTypeOf(lsid)}', expected type 'object'`,
    );
  }
  const id = lsid.id;
  if (!(id instanceof Binary) || id.sub_type !== Binary.SUBTYPE_UUID) {
    throw mongoError(
      id === undefined ? 'Location40414' : 'TypeMismatch',
      id === undefined
        ? "BSON field 'OperationSessionInfo.lsid.id' is missing but a required field"
        : "BSON field 'OperationSessionInfo.lsid.id' is the wrong type, expected a UUID",
    );
  }
  return id;
}

export function readSessionFields(body: Document): SessionFields {
  const { lsid, txnNumber, autocommit, startTransaction } = body;
  if (
    lsid === undefined &&
    txnNumber === undefined &&
    autocommit === undefined &&
    startTransaction === undefined
  )
    return NO_SESSION;
  const lsidId = lsid === undefined ? undefined : readLsid(lsid);
  let txn: number | undefined;
  if (txnNumber !== undefined) {
    const n = numberValueOf(txnNumber);
    if (n === undefined || !Number.isInteger(n)) {
      throw mongoError(
        'TypeMismatch',
        `BSON field 'OperationSessionInfo.txnNumber' is the wrong type '${bsonTypeOf(txnNumber)}', expected type 'long'`,
      );
    }
    if (n < 0) throw mongoError('BadValue', 'Transaction number cannot be negative');
    if (!lsidId)
      throw mongoError('InvalidOptions', 'Transaction number requires a session ID to also be specified');
    txn = n;
  }
  if (autocommit !== undefined) {
    if (typeof autocommit !== 'boolean') {
      throw mongoError(
        'TypeMismatch',
        `BSON field 'OperationSessionInfo.autocommit' is the wrong type '${bsonTypeOf(autocommit)}', expected type 'bool'`,
      );
    }
    if (autocommit) throw mongoError('InvalidOptions', 'Specifying autocommit=true is not allowed.');
    if (txn === undefined)
      throw mongoError(
        'InvalidOptions',
        "'autocommit' field requires a transaction number to also be specified",
      );
  }
  if (startTransaction !== undefined) {
    if (typeof startTransaction !== 'boolean') {
      throw mongoError(
        'TypeMismatch',
        `BSON field 'OperationSessionInfo.startTransaction' is the wrong type '${bsonTypeOf(startTransaction)}', expected type 'bool'`,
      );
    }
    if (!startTransaction)
      throw mongoError('InvalidOptions', 'Specifying startTransaction=false is not allowed.');
    if (autocommit === undefined)
      throw mongoError(
        'InvalidOptions',
        "'startTransaction' field requires 'autocommit' field to also be specified",
      );
  }
  return {
    lsidId,
    sessionKey: lsidId ? keyString(lsidId) : undefined,
    txnNumber: txn,
    autocommit: autocommit === false ? false : undefined,
    startTransaction: startTransaction === true ? true : undefined,
  };
}
