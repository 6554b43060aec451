import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { WriteConcernSettings } from 'mongodb';
import type { Model } from 'mongoose';
import { WRITE_CONNECTION } from '../persistence/connections.js';
import { IDEMPOTENCY_KEYS, type IdempotencyKeyDoc, type StoredResponse } from './idempotency-key.schema.js';

const isDuplicateKey = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 11000;

/**
 * Not waiting for the journal: a key document's writes are acknowledged once applied (w: 1,
 * j: false). Losing one with a crash of the database never executes a command twice: the command's
 * transaction, which IS durable, writes the key's record (idempotent-execution.ts), and a retry
 * finds it. A lost claim or completion only costs the retry a run of the UnitOfWork's catch path
 * (or, for a pending key, the lease). Every update names the owner, so a request can only complete
 * or release a key it holds.
 */
const FAST: { writeConcern: WriteConcernSettings } = { writeConcern: { w: 1, journal: false } };
@Injectable()
export class IdempotencyKeyRepository {
  constructor(
    @InjectModel(IDEMPOTENCY_KEYS, WRITE_CONNECTION) private readonly keys: Model<IdempotencyKeyDoc>,
  ) {}

  /** Inserts the pending document: true when this request now holds the key, false when it exists. */
  async tryClaim(doc: IdempotencyKeyDoc): Promise<boolean> {
    try {
      await this.keys.db.collection<IdempotencyKeyDoc>(IDEMPOTENCY_KEYS).insertOne(doc, FAST);
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }

  find(id: string): Promise<IdempotencyKeyDoc | null> {
    return this.keys
      .findOne({ _id: { $eq: id } })
      .lean<IdempotencyKeyDoc>()
      .exec();
  }

  async complete(
    id: string,
    owner: string,
    response: StoredResponse,
    now: Date,
    expiresAt: Date,
  ): Promise<boolean> {
    const r = await this.keys
      .updateOne(
        { _id: { $eq: id }, owner: { $eq: owner }, state: 'pending' },
        { $set: { state: 'completed', response, completedAt: now, expiresAt } },
        FAST,
      )
      .exec();
    return r.matchedCount === 1;
  }

  /**
   * Hands a pending key whose holder stopped renewing it (lease over) to a new owner: true when
   * this caller now holds it. Only one of several callers racing for it wins.
   */
  async takeOver(
    id: string,
    deadOwner: string,
    owner: string,
    now: Date,
    lockedUntil: Date,
  ): Promise<boolean> {
    const r = await this.keys
      .updateOne(
        { _id: { $eq: id }, owner: { $eq: deadOwner }, state: 'pending', lockedUntil: { $lt: now } },
        { $set: { owner, lockedUntil } },
        FAST,
      )
      .exec();
    return r.modifiedCount === 1;
  }

  async release(id: string, owner: string): Promise<void> {
    await this.keys.deleteOne({ _id: { $eq: id }, owner: { $eq: owner }, state: 'pending' }, FAST).exec();
  }

  async renew(id: string, owner: string, lockedUntil: Date): Promise<void> {
    await this.keys
      .updateOne(
        { _id: { $eq: id }, owner: { $eq: owner }, state: 'pending' },
        { $set: { lockedUntil } },
        FAST,
      )
      .exec();
  }

  /** Removes the document if it has expired (the TTL monitor only sweeps about once a minute). */
  async deleteIfExpired(id: string, now: Date): Promise<void> {
    await this.keys.deleteOne({ _id: { $eq: id }, expiresAt: { $lte: now } }).exec();
  }
}
