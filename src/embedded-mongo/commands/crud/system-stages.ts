/**
 * Source stages answered by the server rather than the pipeline engine: $collStats,
 * $indexStats, $currentOp, $listLocalSessions, $listSearchIndexes. Anything else is left to the
 * pipeline, which reports it as not supported.
 */
import type { Document } from '../../bson.js';
import { mongoError } from '../../errors.js';
import { isPlainObject } from '../../values/types.js';
import { searchNotEnabled } from '../search-indexes.js';
import type { CommandContext } from '../types.js';

export function systemStage(
  ctx: CommandContext,
  coll: string | undefined,
  name: string,
  spec: unknown,
): Iterable<Document> | undefined {
  const collection = coll === undefined ? undefined : ctx.server.catalog.getCollection(ctx.db, coll);
  switch (name) {
    case '$listSearchIndexes':
      throw searchNotEnabled();
    case '$collStats': {
      if (coll === undefined)
        throw mongoError('InvalidNamespace', '$collStats must be run against a collection');
      if (!collection)
        throw mongoError(
          'NamespaceNotFound',
          `Unable to retrieve storageStats in $collStats stage :: caused by :: Collection [${ctx.db}.${coll}] not found.`,
        );
      const s = collection.stats();
      const out: Document = {
        ns: `${ctx.db}.${coll}`,
        host: ctx.server.advertisedHost,
        localTime: new Date(),
      };
      const want = isPlainObject(spec) ? spec : {};
      if (want.count !== undefined) out.count = s.count;
      if (want.storageStats !== undefined) out.storageStats = { ...s, storageSize: s.size, capped: false };
      return [out];
    }
    case '$indexStats': {
      if (!collection) return [];
      return collection.listIndexes().map((ix) => ({
        name: ix.name,
        key: ix.key,
        host: ctx.server.advertisedHost,
        accesses: { ops: 0, since: ctx.server.startedAt },
        spec: ix,
      }));
    }
    case '$listLocalSessions':
      if (!isPlainObject(spec))
        throw mongoError('TypeMismatch', '$listLocalSessions must be specified as an object');
      return ctx.server.sessions.listLocal();
    case '$currentOp':
      return [];
    default:
      return undefined;
  }
}
