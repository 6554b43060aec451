/**
 * Which commands are change-stream commands, for their error labels: an aggregate whose pipeline
 * starts with $changeStream, and a getMore on a cursor such an aggregate opened (ids remembered
 * until the cursor ends or its idle timeout has surely passed).
 */
import type { Document } from '../bson.js';
import type { CommandContext } from '../commands/types.js';
import { bsonTag, isPlainObject } from '../values/types.js';

/** Forget a cursor not seen for this long (longer than any cursor idle timeout in use). */
const FORGET_AFTER_MS = 60 * 60_000;

function isChangeStreamAggregate(body: Document): boolean {
  const p = body.pipeline;
  return Array.isArray(p) && isPlainObject(p[0]) && '$changeStream' in p[0];
}

function openCursorId(reply: Document): string | undefined {
  const cursor = reply.cursor;
  if (!isPlainObject(cursor)) return undefined;
  const id = cursor.id;
  return bsonTag(id) === 'Long' && String(id) !== '0' ? String(id) : undefined;
}

export class ChangeStreamCursors {
  private readonly lastSeen = new Map<string, number>();

  concerns(command: string, ctx: CommandContext): boolean {
    if (command === 'aggregate') return isChangeStreamAggregate(ctx.body);
    if (command === 'getMore') return bsonTag(ctx.arg) === 'Long' && this.lastSeen.has(String(ctx.arg));
    return false;
  }

  /** After a successful change-stream command: remember or forget its cursor. */
  track(command: string, ctx: CommandContext, reply: Document): void {
    const now = Date.now();
    const id = openCursorId(reply);
    if (command === 'aggregate' && id) this.lastSeen.set(id, now);
    else if (command === 'getMore') {
      if (id) this.lastSeen.set(id, now);
      else this.lastSeen.delete(String(ctx.arg));
    }
    if (this.lastSeen.size > 1000) {
      for (const [k, at] of this.lastSeen) if (now - at > FORGET_AFTER_MS) this.lastSeen.delete(k);
    }
  }
}
