import type { PipelineContext } from '../aggregation/index.js';
import { MongoCommandError } from '../errors.js';
import { compileEventPipeline } from './event-pipeline.js';

const ctx: PipelineContext = { db: 'db', now: new Date(0), resolveCollection: () => [] };

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof MongoCommandError ? e.code : undefined;
  }
  return undefined;
}

describe('compileEventPipeline', () => {
  const event = {
    _id: { _data: 'T' },
    operationType: 'insert',
    fullDocument: { a: 1 },
    ns: { db: 'db', coll: 'c' },
  };

  it('applies $match, $project, $addFields, $unset and $replaceWith to each event', () => {
    const t = compileEventPipeline(
      [
        { $match: { operationType: 'insert' } },
        { $addFields: { a: '$fullDocument.a' } },
        { $project: { fullDocument: 0 } },
        { $unset: 'ns' },
        { $replaceWith: { _id: '$_id', doubled: { $multiply: ['$a', 2] } } },
      ],
      ctx,
      undefined,
    );
    expect(t(event)).toEqual({ _id: { _data: 'T' }, doubled: 2 });
    expect(t({ ...event, operationType: 'delete' })).toBeUndefined();
  });

  it('uses the command let variables', () => {
    const t = compileEventPipeline([{ $match: { $expr: { $eq: ['$fullDocument.a', '$$want'] } } }], ctx, {
      want: 1,
    });
    expect(t(event)).toBe(event);
  });

  it('rejects unknown stages (40324), stages change streams refuse (20), a second $changeStream (40602)', () => {
    expect(codeOf(() => compileEventPipeline([{ $unsupported: 1 }], ctx, undefined))).toBe(40324);
    expect(codeOf(() => compileEventPipeline([{ $group: { _id: null } }], ctx, undefined))).toBe(20);
    expect(
      codeOf(() => compileEventPipeline([{ $lookup: { from: 'x', as: 'y', pipeline: [] } }], ctx, undefined)),
    ).toBe(20);
    expect(codeOf(() => compileEventPipeline([{ $changeStream: {} }], ctx, undefined))).toBe(40602);
  });
});
