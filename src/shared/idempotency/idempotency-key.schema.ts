import { Schema } from 'mongoose';

/**
 * `idempotency_keys` (write database): one document per (principal, Idempotency-Key). Its unique
 * `_id` is the lock: whoever inserts it first runs the request; everyone else waits for, or
 * replays, the response stored in it. Documents disappear through the TTL index on `expiresAt`.
 */
export const IDEMPOTENCY_KEYS = 'idempotency_keys';

export interface StoredResponse {
  status: number;
  /** The JSON body as sent (a string, so any key names survive storage unchanged). */
  body: string | null;
  location: string | null;
  /** An error response (replayed by rethrowing it through the exception filter). */
  error: boolean;
}

export interface IdempotencyKeyDoc {
  /** sha256 of (principal scope, key): fixed length whatever the key looks like. */
  _id: string;
  scope: string;
  key: string;
  /** sha256 of method, path, canonical body and principal scope. */
  fingerprint: string;
  method: string;
  path: string;
  state: 'pending' | 'completed';
  /** Random id of the request that holds the key while it is pending. */
  owner: string;
  /** While pending: the owner renews this; past it, the owner is taken to have died. */
  lockedUntil: Date;
  response: StoredResponse | null;
  createdAt: Date;
  completedAt: Date | null;
  expiresAt: Date;
}

export const IdempotencyKeySchema = new Schema<IdempotencyKeyDoc>(
  {
    _id: { type: String, required: true },
    scope: { type: String, required: true },
    key: { type: String, required: true },
    fingerprint: { type: String, required: true },
    method: { type: String, required: true },
    path: { type: String, required: true },
    state: { type: String, enum: ['pending', 'completed'], required: true },
    owner: { type: String, required: true },
    lockedUntil: { type: Date, required: true },
    response: {
      type: new Schema<StoredResponse>(
        {
          status: { type: Number, required: true },
          body: { type: String, default: null },
          location: { type: String, default: null },
          error: { type: Boolean, required: true },
        },
        { _id: false },
      ),
      default: null,
    },
    createdAt: { type: Date, required: true },
    completedAt: { type: Date, default: null },
    expiresAt: { type: Date, required: true },
  },
  { collection: IDEMPOTENCY_KEYS, versionKey: false },
);
IdempotencyKeySchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
