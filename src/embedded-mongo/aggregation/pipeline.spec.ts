import { Decimal128, Double, Long, type Document } from '../bson.js';
import { MongoCommandError } from '../errors.js';
import { bsonTypeOf } from '../values/index.js';
import type { OutputMode, OutputTarget, PipelineContext } from './context.js';
import {
  aggregate,
  compileUpdatePipeline,
  pipelineWriteStage,
  runPipeline,
  runUpdatePipeline,
} from './pipeline.js';

interface Written {
  target: OutputTarget;
  docs: Document[];
  mode: OutputMode;
}

function context(collections: Record<string, Document[]> = {}, extra: Partial<PipelineContext> = {}) {
  const written: Written[] = [];
  const ctx: PipelineContext = {
    db: 'test',
    now: new Date(Date.UTC(2024, 0, 1)),
    resolveCollection: (_db, coll) => collections[coll] ?? [],
    writeOutput: async (target, docs, mode) => {
      written.push({ target, docs, mode });
    },
    ...extra,
  };
  return { ctx, written };
}

async function run(
  input: Document[],
  pipeline: Document[],
  collections: Record<string, Document[]> = {},
  extra = {},
) {
  return aggregate(input, pipeline, context(collections, extra).ctx);
}

async function codeOf(p: () => Promise<unknown>): Promise<number | undefined> {
  try {
    await p();
  } catch (e) {
    if (e instanceof MongoCommandError) return e.code;
    throw e;
  }
  return undefined;
}

const dec = (s: string) => Decimal128.fromString(s);

describe('pipeline parsing', () => {
  it('rejects unknown stages, malformed stage objects and misplaced stages with mongod codes', async () => {
    expect(await codeOf(() => run([], [{ $foo: {} }]))).toBe(40324);
    expect(await codeOf(() => run([], [{ $match: {}, $limit: 1 }]))).toBe(40323);
    expect(await codeOf(() => run([], [{ $out: 'x' }, { $match: {} }]))).toBe(40601);
    expect(await codeOf(() => run([], [{ $match: {} }, { $documents: [] }]))).toBe(40602);
    expect(await codeOf(() => run([], [{ $densify: {} }]))).toBe(238);
  });

  it('validates the whole pipeline before any document flows', () => {
    const { ctx } = context();
    expect(() => runPipeline([{ a: 1 }], [{ $match: {} }, { $limit: -1 }], ctx)).toThrow(MongoCommandError);
  });
});

describe('$match, $project, $addFields, $unset', () => {
  const docs = [
    { _id: 1, a: 1, b: { c: 1, d: 2 } },
    { _id: 2, a: 5, b: { c: 3, d: 4 } },
  ];

  it('$match filters, with $expr seeing let variables', async () => {
    expect(await run(docs, [{ $match: { a: { $gt: 2 } } }])).toEqual([docs[1]]);
    const { ctx } = context({}, { let: { lim: 3 } });
    expect(await aggregate(docs, [{ $match: { $expr: { $lt: ['$a', '$$lim'] } } }], ctx)).toEqual([docs[0]]);
    expect(await codeOf(() => run(docs, [{ $match: { $expr: { $lt: ['$a', '$$nope'] } } }]))).toBe(17276);
  });

  it('$project includes, excludes and computes fields', async () => {
    expect(await run(docs, [{ $project: { 'b.c': 1 } }])).toEqual([
      { _id: 1, b: { c: 1 } },
      { _id: 2, b: { c: 3 } },
    ]);
    expect(await run([docs[0]], [{ $project: { b: 0, _id: 0 } }])).toEqual([{ a: 1 }]);
    expect(
      await run([docs[0]], [{ $project: { _id: 0, sum: { $add: ['$a', '$b.d'] }, gone: '$$REMOVE' } }]),
    ).toEqual([{ sum: 3 }]);
    expect(await run([{ _id: 1, arr: [{ x: 1, y: 2 }, 7] }], [{ $project: { 'arr.x': 1 } }])).toEqual([
      { _id: 1, arr: [{ x: 1 }] },
    ]);
  });

  it('$project reports mongod errors', async () => {
    expect(await codeOf(() => run(docs, [{ $project: { a: 1, b: 0 } }]))).toBe(31254);
    expect(await codeOf(() => run(docs, [{ $project: { a: 0, b: 1 } }]))).toBe(31253);
    expect(await codeOf(() => run(docs, [{ $project: { a: 1, 'a.b': 1 } }]))).toBe(31250);
    expect(await codeOf(() => run(docs, [{ $project: {} }]))).toBe(51272);
    expect(await codeOf(() => run(docs, [{ $project: 'a' }]))).toBe(15969);
  });

  it('$addFields / $set merge into embedded documents and remove with $$REMOVE', async () => {
    expect(await run([docs[0]], [{ $addFields: { 'b.e': 5, a: '$$REMOVE', z: { $literal: 1 } } }])).toEqual([
      { _id: 1, b: { c: 1, d: 2, e: 5 }, z: 1 },
    ]);
    expect(await run([docs[0]], [{ $set: { b: { f: '$a' } } }])).toEqual([
      { _id: 1, a: 1, b: { c: 1, d: 2, f: 1 } },
    ]);
    expect(await run([{ _id: 1, arr: [{ x: 1 }, { x: 2 }] }], [{ $set: { 'arr.y': 0 } }])).toEqual([
      {
        _id: 1,
        arr: [
          { x: 1, y: 0 },
          { x: 2, y: 0 },
        ],
      },
    ]);
  });

  it('$unset removes paths', async () => {
    expect(await run([docs[0]], [{ $unset: ['a', 'b.c'] }])).toEqual([{ _id: 1, b: { d: 2 } }]);
    expect(await codeOf(() => run(docs, [{ $unset: [] }]))).toBe(31119);
    expect(await codeOf(() => run(docs, [{ $unset: [1] }]))).toBe(31120);
  });
});

describe('$group', () => {
  it('sums Decimal128 prices exactly', async () => {
    const orders = [{ price: dec('0.10') }, { price: dec('0.10') }, { price: dec('0.10') }];
    const [out] = await run(orders, [{ $group: { _id: null, total: { $sum: '$price' } } }]);
    expect(bsonTypeOf(out.total)).toBe('decimal');
    expect(String(out.total)).toBe('0.30');
  });

  it('$avg of ints is a double; $sum of ints stays int and widens on overflow', async () => {
    const [out] = await run(
      [{ v: 1 }, { v: 2 }],
      [{ $group: { _id: null, avg: { $avg: '$v' }, sum: { $sum: '$v' } } }],
    );
    expect(out.avg).toEqual(new Double(1.5));
    expect(out.sum).toBe(3);
    const [big] = await run([{ v: 2147483647 }, { v: 1 }], [{ $group: { _id: null, sum: { $sum: '$v' } } }]);
    expect(big.sum).toEqual(Long.fromNumber(2147483648));
    const [none] = await run(
      [{ v: 'x' }],
      [{ $group: { _id: null, avg: { $avg: '$v' }, sum: { $sum: '$v' } } }],
    );
    expect(none).toEqual({ _id: null, avg: null, sum: 0 });
  });

  it('groups by compound and computed keys with MongoDB equality', async () => {
    const docs = [
      { k: 1, c: 'a', v: 1 },
      { k: new Double(1), c: 'a', v: 2 },
      { k: 2, c: 'b', v: 3 },
      { c: 'b', v: 4 },
    ];
    expect(await run(docs, [{ $group: { _id: { k: '$k', c: '$c' }, n: { $count: {} } } }])).toEqual([
      { _id: { k: 1, c: 'a' }, n: 2 },
      { _id: { k: 2, c: 'b' }, n: 1 },
      { _id: { c: 'b' }, n: 1 },
    ]);
    expect(await run(docs, [{ $group: { _id: '$k', vs: { $push: '$v' } } }])).toEqual([
      { _id: 1, vs: [1, 2] },
      { _id: 2, vs: [3] },
      { _id: null, vs: [4] },
    ]);
  });

  it('runs every accumulator', async () => {
    const docs = [
      { g: 1, v: 3, o: { a: 1 } },
      { g: 1, v: 1, o: { b: 2 } },
      { g: 1, v: 3, o: null },
      { g: 1, o: { a: 9 } },
    ];
    const [out] = await run(docs, [
      {
        $group: {
          _id: '$g',
          first: { $first: '$v' },
          last: { $last: '$v' },
          min: { $min: '$v' },
          max: { $max: '$v' },
          set: { $addToSet: '$v' },
          merged: { $mergeObjects: '$o' },
          top: { $top: { sortBy: { v: -1 }, output: '$v' } },
          bottom2: { $bottomN: { n: 2, sortBy: { v: -1 }, output: '$v' } },
          first2: { $firstN: { n: 2, input: '$v' } },
          max2: { $maxN: { n: 2, input: '$v' } },
          pop: { $stdDevPop: '$v' },
        },
      },
    ]);
    expect(out).toMatchObject({
      first: 3,
      last: null,
      min: 1,
      max: 3,
      set: [3, 1],
      merged: { a: 9, b: 2 },
      top: 3,
      bottom2: [1, null],
      first2: [3, 1],
      max2: [3, 3],
    });
    expect((out.pop as Double).value).toBeCloseTo(0.9428, 3);
  });

  it('reports specification errors', async () => {
    expect(await codeOf(() => run([], [{ $group: { n: { $sum: 1 } } }]))).toBe(15955);
    expect(await codeOf(() => run([], [{ $group: { _id: null, n: { $bogus: 1 } } }]))).toBe(15952);
    expect(await codeOf(() => run([], [{ $group: { _id: null, n: 1 } }]))).toBe(40234);
    expect(await codeOf(() => run([], [{ $group: { _id: null, n: { $sum: [1, 2] } } }]))).toBe(40237);
    expect(await codeOf(() => run([], [{ $group: 1 }]))).toBe(15947);
    expect(await codeOf(() => run([], [{ $group: { _id: { a: 1 } } }]))).toBe(17390);
  });
});

describe('$sort, $skip, $limit, $count, $sample', () => {
  const docs = [5, 3, 9, 1, 7].map((v, i) => ({ _id: i, v }));

  it('sorts, and with $limit keeps only the top k', async () => {
    expect((await run(docs, [{ $sort: { v: 1 } }])).map((d) => d.v)).toEqual([1, 3, 5, 7, 9]);
    expect((await run(docs, [{ $sort: { v: -1 } }, { $limit: 2 }])).map((d) => d.v)).toEqual([9, 7]);
    expect((await run(docs, [{ $sort: { v: 1 } }, { $skip: 1 }, { $limit: 2 }])).map((d) => d.v)).toEqual([
      3, 5,
    ]);
  });

  it('validates $limit / $skip / $sort', async () => {
    expect(await codeOf(() => run(docs, [{ $limit: 0 }]))).toBe(15958);
    expect(await codeOf(() => run(docs, [{ $limit: 'x' }]))).toBe(5107201);
    expect(await codeOf(() => run(docs, [{ $limit: 1.5 }]))).toBe(5107201);
    expect(await codeOf(() => run(docs, [{ $skip: -1 }]))).toBe(5107200);
    expect(await codeOf(() => run(docs, [{ $skip: 0 }]))).toBeUndefined();
    expect((await run(docs, [{ $skip: Decimal128.fromString('4') }])).length).toBe(1);
    expect(await codeOf(() => run(docs, [{ $sort: {} }]))).toBe(15976);
    expect(await codeOf(() => run(docs, [{ $sort: { v: 2 } }]))).toBe(15975);
  });

  it('$count counts, and yields nothing for no input', async () => {
    expect(await run(docs, [{ $count: 'n' }])).toEqual([{ n: 5 }]);
    expect(await run([], [{ $count: 'n' }])).toEqual([]);
    expect(await codeOf(() => run(docs, [{ $count: '$n' }]))).toBe(40158);
  });

  it('$sample returns distinct input documents', async () => {
    const out = await run(docs, [{ $sample: { size: 3 } }]);
    expect(out).toHaveLength(3);
    expect(new Set(out.map((d) => d._id)).size).toBe(3);
    expect(await codeOf(() => run(docs, [{ $sample: { size: -1 } }]))).toBe(28747);
  });
});

describe('$unwind', () => {
  const docs = [
    { _id: 1, a: [1, 2] },
    { _id: 2, a: [] },
    { _id: 3, a: null },
    { _id: 4 },
    { _id: 5, a: 'x' },
  ];

  it('unwinds arrays and passes scalars through', async () => {
    expect(await run(docs, [{ $unwind: '$a' }])).toEqual([
      { _id: 1, a: 1 },
      { _id: 1, a: 2 },
      { _id: 5, a: 'x' },
    ]);
  });

  it('preserveNullAndEmptyArrays and includeArrayIndex', async () => {
    expect(
      await run(docs, [
        { $unwind: { path: '$a', preserveNullAndEmptyArrays: true, includeArrayIndex: 'i' } },
      ]),
    ).toEqual([
      { _id: 1, a: 1, i: Long.fromNumber(0) },
      { _id: 1, a: 2, i: Long.fromNumber(1) },
      { _id: 2, i: null },
      { _id: 3, a: null, i: null },
      { _id: 4, i: null },
      { _id: 5, a: 'x', i: null },
    ]);
  });

  it('validates the specification', async () => {
    expect(await codeOf(() => run(docs, [{ $unwind: 'a' }]))).toBe(28818);
    expect(await codeOf(() => run(docs, [{ $unwind: {} }]))).toBe(28812);
    expect(await codeOf(() => run(docs, [{ $unwind: { path: '$a', x: 1 } }]))).toBe(28811);
    expect(await codeOf(() => run(docs, [{ $unwind: { path: '$a', includeArrayIndex: '$i' } }]))).toBe(28822);
  });
});

describe('$lookup', () => {
  const orders = [{ _id: 1, item: 'a', qty: 2 }, { _id: 2, items: ['a', 'b'] }, { _id: 3 }];
  const inventory = [
    { _id: 'i1', sku: 'a', stock: 5 },
    { _id: 'i2', sku: 'b', stock: 0 },
    { _id: 'i3', stock: 1 },
  ];

  it('joins on localField / foreignField, including local arrays and missing values', async () => {
    const out = await run(
      orders,
      [{ $lookup: { from: 'inventory', localField: 'item', foreignField: 'sku', as: 'inv' } }],
      {
        inventory,
      },
    );
    expect(out.map((d) => (d.inv as Document[]).map((x) => x._id))).toEqual([['i1'], ['i3'], ['i3']]);
    const arr = await run(
      [orders[1]],
      [{ $lookup: { from: 'inventory', localField: 'items', foreignField: 'sku', as: 'inv' } }],
      {
        inventory,
      },
    );
    expect((arr[0].inv as Document[]).map((x) => x._id)).toEqual(['i1', 'i2']);
  });

  it('joins with a pipeline and let variables', async () => {
    const out = await run(
      [orders[0]],
      [
        {
          $lookup: {
            from: 'inventory',
            let: { want: '$item', n: '$qty' },
            pipeline: [
              { $match: { $expr: { $and: [{ $eq: ['$sku', '$$want'] }, { $gte: ['$stock', '$$n'] }] } } },
              { $project: { _id: 0, stock: 1 } },
            ],
            as: 'inv',
          },
        },
      ],
      { inventory },
    );
    expect(out[0].inv).toEqual([{ stock: 5 }]);
  });

  it('combines localField / foreignField with a pipeline', async () => {
    const out = await run(
      [orders[1]],
      [
        {
          $lookup: {
            from: 'inventory',
            localField: 'items',
            foreignField: 'sku',
            pipeline: [{ $match: { stock: { $gt: 0 } } }],
            as: 'inStock',
          },
        },
      ],
      { inventory },
    );
    expect((out[0].inStock as Document[]).map((x) => x._id)).toEqual(['i1']);
  });

  it('validates the specification', async () => {
    expect(await codeOf(() => run([], [{ $lookup: { from: 'x', localField: 'a', as: 'y' } }]))).toBe(9);
    expect(
      await codeOf(() => run([], [{ $lookup: { from: 'x', localField: 'a', foreignField: 'b' } }])),
    ).toBe(9);
    expect(
      await codeOf(() => run([], [{ $lookup: { from: 'x', pipeline: [{ $out: 'y' }], as: 'z' } }])),
    ).toBe(51047);
    expect(
      await codeOf(() =>
        run([], [{ $lookup: { from: 'x', pipeline: [{ $match: { $expr: '$$v' } }], as: 'z' } }]),
      ),
    ).toBe(17276);
  });
});

describe('$facet, $bucket, $bucketAuto, $sortByCount', () => {
  const docs = [1, 2, 2, 3, 10, 25, 40].map((v, i) => ({ _id: i, v, tag: v % 2 ? 'odd' : 'even' }));

  it('$facet runs sub-pipelines over the same input', async () => {
    expect(
      await run(docs, [
        {
          $facet: {
            count: [{ $count: 'n' }],
            top: [{ $sort: { v: -1 } }, { $limit: 1 }, { $project: { _id: 0, v: 1 } }],
          },
        },
      ]),
    ).toEqual([{ count: [{ n: 7 }], top: [{ v: 40 }] }]);
    expect(await run([], [{ $facet: { a: [{ $match: {} }] } }])).toEqual([{ a: [] }]);
    expect(await codeOf(() => run(docs, [{ $facet: { a: [{ $out: 'x' }] } }]))).toBe(40600);
    expect(await codeOf(() => run(docs, [{ $facet: { a: 1 } }]))).toBe(14);
    expect(await codeOf(() => run(docs, [{ $facet: 'x' }]))).toBe(40169);
  });

  it('$bucket groups into boundaries with a default bucket', async () => {
    expect(
      await run(docs, [
        {
          $bucket: {
            groupBy: '$v',
            boundaries: [0, 5, 20],
            default: 'other',
            output: { n: { $sum: 1 }, vs: { $push: '$v' } },
          },
        },
      ]),
    ).toEqual([
      { _id: 0, n: 4, vs: [1, 2, 2, 3] },
      { _id: 5, n: 1, vs: [10] },
      { _id: 'other', n: 2, vs: [25, 40] },
    ]);
    expect(await run(docs, [{ $bucket: { groupBy: '$v', boundaries: [0, 100] } }])).toEqual([
      { _id: 0, count: 7 },
    ]);
  });

  it('$bucket reports mongod errors', async () => {
    expect(await codeOf(() => run(docs, [{ $bucket: { groupBy: '$v', boundaries: [0, 5] } }]))).toBe(40066);
    expect(await codeOf(() => run(docs, [{ $bucket: { groupBy: '$v', boundaries: [5, 0] } }]))).toBe(40194);
    expect(await codeOf(() => run(docs, [{ $bucket: { groupBy: '$v', boundaries: [0, 'a'] } }]))).toBe(40193);
    expect(
      await codeOf(() => run(docs, [{ $bucket: { groupBy: '$v', boundaries: [0, 5], default: 1 } }])),
    ).toBe(40199);
    expect(await codeOf(() => run(docs, [{ $bucket: { groupBy: 'v', boundaries: [0, 5] } }]))).toBe(40202);
  });

  it('$bucketAuto cuts sorted values into even buckets', async () => {
    expect(await run(docs, [{ $bucketAuto: { groupBy: '$v', buckets: 3 } }])).toEqual([
      { _id: { min: 1, max: 3 }, count: 3 },
      { _id: { min: 3, max: 25 }, count: 2 },
      { _id: { min: 25, max: 40 }, count: 2 },
    ]);
  });

  it('$sortByCount counts groups, most frequent first', async () => {
    expect(await run(docs, [{ $sortByCount: '$tag' }])).toEqual([
      { _id: 'even', count: 4 },
      { _id: 'odd', count: 3 },
    ]);
    expect(await codeOf(() => run(docs, [{ $sortByCount: 'tag' }]))).toBe(40148);
    expect(await codeOf(() => run(docs, [{ $sortByCount: {} }]))).toBe(40147);
    expect(await codeOf(() => run(docs, [{ $sortByCount: 5 }]))).toBe(40149);
  });
});

describe('other stages', () => {
  it('$replaceRoot / $replaceWith require documents', async () => {
    expect(await run([{ a: { b: 1 } }], [{ $replaceRoot: { newRoot: '$a' } }])).toEqual([{ b: 1 }]);
    expect(await run([{ a: 1 }], [{ $replaceWith: { x: '$a' } }])).toEqual([{ x: 1 }]);
    expect(await codeOf(() => run([{ a: 1 }], [{ $replaceRoot: { newRoot: '$a' } }]))).toBe(40228);
    expect(await codeOf(() => run([{ a: 1 }], [{ $replaceRoot: {} }]))).toBe(40414);
  });

  it('$redact descends, prunes and keeps', async () => {
    const doc = { level: 1, a: { level: 5, secret: 1 }, b: [{ level: 1, x: 1 }, { level: 9 }] };
    const expr = { $cond: { if: { $gt: ['$level', 3] }, then: '$$PRUNE', else: '$$DESCEND' } };
    expect(await run([doc], [{ $redact: expr }])).toEqual([{ level: 1, b: [{ level: 1, x: 1 }] }]);
    expect(await codeOf(() => run([doc], [{ $redact: 'x' }]))).toBe(17053);
  });

  it('$unionWith appends another collection through an optional pipeline', async () => {
    expect(
      await run([{ a: 1 }], [{ $unionWith: { coll: 'other', pipeline: [{ $project: { _id: 0, b: 1 } }] } }], {
        other: [{ _id: 9, b: 2 }],
      }),
    ).toEqual([{ a: 1 }, { b: 2 }]);
    expect(await run([], [{ $unionWith: 'other' }], { other: [{ b: 3 }] })).toEqual([{ b: 3 }]);
  });

  it('$graphLookup walks the graph with depths', async () => {
    const employees = [
      { _id: 1, name: 'ceo' },
      { _id: 2, name: 'vp', boss: 'ceo' },
      { _id: 3, name: 'dev', boss: 'vp' },
    ];
    const out = await run(
      [employees[2]],
      [
        {
          $graphLookup: {
            from: 'employees',
            startWith: '$boss',
            connectFromField: 'boss',
            connectToField: 'name',
            as: 'chain',
            depthField: 'depth',
          },
        },
      ],
      { employees },
    );
    expect((out[0].chain as Document[]).map((d) => [d.name, d.depth])).toEqual([
      ['vp', Long.fromNumber(0)],
      ['ceo', Long.fromNumber(1)],
    ]);
  });

  it('$documents is a source for db-level pipelines', async () => {
    expect(await run([], [{ $documents: [{ x: 1 }, { x: '$$NOW' }] }, { $match: { x: 1 } }])).toEqual([
      { x: 1 },
    ]);
  });

  it('let variables are evaluated once, $literal stays literal', async () => {
    const { ctx } = context({}, { let: { x: 'foo', y: { $literal: '$bar' }, rand: { $rand: {} } } });
    const out = await aggregate(
      [{ _id: 1 }],
      [{ $project: { _id: 0, x: '$$x', y: '$$y', rand: '$$rand' } }],
      ctx,
    );
    expect(out[0].x).toBe('foo');
    expect(out[0].y).toBe('$bar');
    expect(bsonTypeOf(out[0].rand)).toBe('double');
    expect(() => runPipeline([], [], context({}, { let: { Bad: 1 } }).ctx)).toThrow(MongoCommandError);
  });
});

describe('$out, $merge and system stages', () => {
  it('$out collects everything and hands it to writeOutput', async () => {
    const { ctx, written } = context();
    const out = await aggregate(
      [{ a: 1 }, { a: 2 }],
      [{ $match: { a: { $gt: 1 } } }, { $out: 'target' }],
      ctx,
    );
    expect(out).toEqual([]);
    expect(written).toEqual([{ target: { db: 'test', coll: 'target' }, docs: [{ a: 2 }], mode: 'out' }]);
  });

  it('$merge normalises its specification', async () => {
    const { ctx, written } = context();
    await aggregate(
      [{ _id: 2, x: 1 }],
      [{ $merge: { into: { db: 'other', coll: 't' }, whenMatched: 'fail' } }],
      ctx,
    );
    expect(written[0].mode).toEqual({
      merge: { into: { db: 'other', coll: 't' }, on: ['_id'], whenMatched: 'fail', whenNotMatched: 'insert' },
    });
    expect(await codeOf(() => run([], [{ $merge: { into: 't', whenMatched: 'nope' } }]))).toBe(2);
    expect(await codeOf(() => run([], [{ $merge: { whenMatched: 'fail' } }]))).toBe(40414);
    expect(await codeOf(() => run([], [{ $merge: { into: 't', bogus: 1 } }]))).toBe(40415);
    expect(await codeOf(() => run([], [{ $merge: 5 }]))).toBe(14);
  });

  it('system stages go to ctx.systemStage and must come first', async () => {
    const { ctx } = context(
      {},
      { systemStage: (name: string) => (name === '$listLocalSessions' ? [{ s: 1 }, { s: 2 }] : undefined) },
    );
    expect(
      await aggregate([], [{ $listLocalSessions: {} }, { $limit: 1 }, { $addFields: { dummy: 'd' } }], ctx),
    ).toEqual([{ s: 1, dummy: 'd' }]);
    expect(await codeOf(() => aggregate([], [{ $collStats: {} }], ctx))).toBe(238);
    expect(await codeOf(() => aggregate([], [{ $match: {} }, { $collStats: {} }], ctx))).toBe(40602);
  });
});

describe('compileUpdatePipeline', () => {
  it('applies update stages synchronously and refuses others', () => {
    const apply = compileUpdatePipeline(
      [{ $set: { total: { $add: ['$a', '$$inc'] } } }, { $unset: 'a' }],
      ['inc'],
    );
    expect(apply({ _id: 1, a: 2 }, { inc: 3 })).toEqual({ _id: 1, total: 5 });
    expect(() => compileUpdatePipeline([{ $group: { _id: null } }])).toThrow(MongoCommandError);
  });

  it('runUpdatePipeline serves update/apply-update as its PipelineRunner', () => {
    const pipeline = [{ $set: { at: '$$NOW', v: { $multiply: ['$v', '$$k'] } } }];
    const now = new Date(123);
    expect(runUpdatePipeline([{ v: 2 }, { v: 3 }], pipeline, { variables: { k: 10 }, now })).toEqual([
      { v: 20, at: now },
      { v: 30, at: now },
    ]);
  });

  it('pipelineWriteStage names a final $out / $merge', () => {
    expect(pipelineWriteStage([{ $match: {} }, { $out: 'x' }])).toBe('$out');
    expect(pipelineWriteStage([{ $merge: { into: 'x' } }])).toBe('$merge');
    expect(pipelineWriteStage([{ $match: {} }])).toBeUndefined();
  });
});

describe('streaming', () => {
  it('$limit stops pulling from an endless asynchronous source', async () => {
    let pulled = 0;
    async function* endless() {
      for (let i = 0; ; i++) {
        pulled++;
        yield { i };
      }
    }
    const { ctx } = context();
    const out: Document[] = [];
    for await (const d of runPipeline(endless(), [{ $match: { i: { $mod: [2, 0] } } }, { $limit: 3 }], ctx))
      out.push(d);
    expect(out).toEqual([{ i: 0 }, { i: 2 }, { i: 4 }]);
    expect(pulled).toBeLessThan(10);
  });

  it('passes documents from a slow asynchronous source on as they arrive', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    async function* slow() {
      yield { a: 1 };
      await gate;
      yield { a: 2 };
    }
    const { ctx } = context();
    const it = runPipeline(slow(), [{ $addFields: { b: 1 } }], ctx)[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ a: 1, b: 1 });
    release();
    expect((await it.next()).value).toEqual({ a: 2, b: 1 });
    expect((await it.next()).done).toBe(true);
  });

  it('handles inputs larger than one batch', async () => {
    const docs = Array.from({ length: 5000 }, (_, i) => ({ i }));
    const out = await run(docs, [
      { $skip: 1500 },
      { $limit: 2000 },
      { $group: { _id: null, n: { $sum: 1 }, min: { $min: '$i' } } },
    ]);
    expect(out).toEqual([{ _id: null, n: 2000, min: 1500 }]);
  });
});

describe('memory limit of blocking stages', () => {
  // One shared 1 MB string: cheap to hold, but each document counts it.
  const big = 'x'.repeat(1 << 20);
  const docs = Array.from({ length: 110 }, (_, i) => ({ i, s: big }));

  it('fails with 292 past 100 MB only when allowDiskUse is false', async () => {
    expect(await codeOf(() => run(docs, [{ $sort: { i: -1 } }], {}, { allowDiskUse: false }))).toBe(292);
    expect(
      await codeOf(() =>
        run(docs, [{ $group: { _id: null, all: { $push: '$s' } } }], {}, { allowDiskUse: false }),
      ),
    ).toBe(292);
    expect(await run(docs, [{ $sort: { i: -1 } }, { $limit: 1 }, { $project: { i: 1, _id: 0 } }])).toEqual([
      { i: 109 },
    ]);
    expect(await run(docs, [{ $sort: { i: -1 } }, { $count: 'n' }], {}, { allowDiskUse: true })).toEqual([
      { n: 110 },
    ]);
  });
});

describe('collation', () => {
  it('$match and $sort compare strings under the operation collation', async () => {
    const docs = [
      { _id: 1, x: 'ping' },
      { _id: 2, x: 'apple' },
      { _id: 3, x: 'Banana' },
    ];
    const collation = { locale: 'en_US', strength: 2 };
    expect(await run(docs, [{ $match: { x: 'PING' } }], {}, { collation })).toEqual([{ _id: 1, x: 'ping' }]);
    expect(await run(docs, [{ $match: { x: 'PING' } }])).toEqual([]);
    expect((await run(docs, [{ $sort: { x: 1 } }], {}, { collation })).map((d) => d._id)).toEqual([2, 3, 1]);
    expect((await run(docs, [{ $sort: { x: 1 } }])).map((d) => d._id)).toEqual([3, 2, 1]);
    expect((await run(docs, [{ $sort: { x: -1 } }], {}, { collation })).map((d) => d._id)).toEqual([1, 3, 2]);
  });
});
