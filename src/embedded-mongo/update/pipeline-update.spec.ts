import type { Document } from '../bson.js';
import { MongoCommandError } from '../errors.js';
import { isPlainObject } from '../values/types.js';
import { applyUpdate, applyUpdateAsync, validateUpdate, type PipelineRunner } from './index.js';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof MongoCommandError) return e.code;
    throw e;
  }
  return undefined;
}

/**
 * A stand-in for the aggregation engine, enough for these tests: $set of literals or '$field'
 * references, $unset of field names, $replaceRoot / $replaceWith of a '$field' reference.
 */
const runPipeline: PipelineRunner = (docs, pipeline, ctx) =>
  docs.map((input) => {
    let doc: Document = { ...input };
    const valueOf = (v: unknown): unknown =>
      typeof v === 'string' && v.startsWith('$$')
        ? ctx.variables[v.slice(2)]
        : typeof v === 'string' && v.startsWith('$')
          ? doc[v.slice(1)]
          : v;
    for (const stage of pipeline) {
      const [name, arg] = Object.entries(stage)[0];
      if (name === '$set' || name === '$addFields') {
        for (const [k, v] of Object.entries(arg as Document)) doc[k] = valueOf(v);
      } else if (name === '$unset') {
        for (const k of [arg].flat() as string[]) delete doc[k];
      } else if (name === '$replaceRoot' || name === '$replaceWith') {
        const target = valueOf(name === '$replaceRoot' ? (arg as Document).newRoot : arg);
        if (!isPlainObject(target)) throw new Error('not a document');
        doc = { ...target };
      }
    }
    return doc;
  });

describe('pipeline-style updates', () => {
  it('replaces the document with the pipeline output, keeping _id first', () => {
    const r = applyUpdate(
      { _id: 1, t: { u: { v: 1 } } },
      [{ $replaceRoot: { newRoot: '$t' } }, { $addFields: { foo: 1 } }],
      {
        runPipeline,
      },
    );
    expect(r.doc).toEqual({ _id: 1, u: { v: 1 }, foo: 1 });
    expect(Object.keys(r.doc)[0]).toBe('_id');
    expect(r).toMatchObject({ modified: true, kind: 'pipeline' });
  });

  it('describes the change as a document diff, with shrunk arrays as truncations', () => {
    const before = { _id: 1, a: 1, array: ['foo', { a: 'bar' }, 1, 2, 3], o: { x: 1, y: 2 }, gone: true };
    const r = applyUpdate(
      before,
      [{ $set: { array: ['foo', { a: 'bar' }], o: { x: 1, y: 3 }, n: 'new' } }, { $unset: 'gone' }],
      {
        runPipeline,
      },
    );
    expect(r.updateDescription).toEqual({
      updatedFields: { 'o.y': 3, n: 'new' },
      removedFields: ['gone'],
      truncatedArrays: [{ field: 'array', newSize: 2 }],
    });
  });

  it('reports changed and appended array elements by index', () => {
    const r = applyUpdate({ _id: 1, a: [1, { b: 1 }] }, [{ $set: { a: [0, { b: 2 }, 7] } }], { runPipeline });
    expect(r.updateDescription.updatedFields).toEqual({ 'a.0': 0, 'a.1.b': 2, 'a.2': 7 });
  });

  it('reports no modification when the output equals the input', () => {
    const d = { _id: 1, a: 1 };
    const r = applyUpdate(d, [{ $set: { a: 1 } }], { runPipeline });
    expect(r.modified).toBe(false);
    expect(r.doc).toBe(d);
  });

  it('passes let variables to the stages', () => {
    expect(
      applyUpdate({ _id: 1 }, [{ $set: { a: '$$v' } }], { runPipeline, variables: { v: 42 } }).doc,
    ).toEqual({ _id: 1, a: 42 });
  });

  it('allows top-level $-prefixed and dotted field names in the output', () => {
    const r = applyUpdate({ _id: 1, x: { $a: 1, 'b.c': 2 } }, [{ $replaceWith: '$x' }], { runPipeline });
    expect(r.doc).toEqual({ _id: 1, $a: 1, 'b.c': 2 });
  });

  it('rejects changing _id (ImmutableField)', () => {
    expect(codeOf(() => applyUpdate({ _id: 1 }, [{ $set: { _id: 2 } }], { runPipeline }))).toBe(66);
  });

  it.each<[string, Document[], number]>([
    ['a stage not allowed in updates', [{ $match: { a: 1 } }], 72],
    ['an unknown stage', [{ $nope: {} }], 40324],
    ['a stage with two fields', [{ $set: { a: 1 }, $unset: 'b' }], 40323],
  ])('rejects %s', (_name, pipeline, code) => {
    expect(codeOf(() => validateUpdate(pipeline))).toBe(code);
  });

  it('runs asynchronous runners through applyUpdateAsync only', async () => {
    const asyncRunner: PipelineRunner = async (docs, pipeline, ctx) => runPipeline(docs, pipeline, ctx);
    await expect(
      applyUpdateAsync({ _id: 1 }, [{ $set: { a: 1 } }], { runPipeline: asyncRunner }),
    ).resolves.toMatchObject({
      doc: { _id: 1, a: 1 },
    });
    expect(codeOf(() => applyUpdate({ _id: 1 }, [{ $set: { a: 1 } }], { runPipeline: asyncRunner }))).toBe(1);
    expect(codeOf(() => applyUpdate({ _id: 1 }, [{ $set: { a: 1 } }]))).toBe(1);
  });
});
