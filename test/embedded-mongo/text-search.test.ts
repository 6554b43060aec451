/**
 * `$text` through the official driver against the embedded server: text indexes with weights,
 * English stemming and stop words, phrases, negations, case and diacritic sensitivity, textScore
 * in find projections/sorts and in aggregation, and mongod's error codes. Scores are the numbers
 * mongod's formula gives (see src/embedded-mongo/text/document-terms.ts).
 */
import {
  MongoServerError,
  type Collection,
  type Db,
  type Document,
  type Filter,
  type MongoClient,
} from 'mongodb';
import { withEmbeddedServer } from '../helpers/embedded-server.js';

interface Article extends Document {
  _id?: number;
  title?: string;
  body?: string;
}

/** Filters as sent: some tests pass malformed `$text` arguments on purpose. */
const raw = (filter: Document): Filter<Article> => filter as Filter<Article>;

const mongo = withEmbeddedServer();
let client: MongoClient;
let db: Db;
let articles: Collection<Article>;

const ARTICLES: Article[] = [
  { _id: 1, title: 'Running shoes', body: 'The best shoes for a long run in the park' },
  { _id: 2, title: 'Coffee guide', body: 'How to brew coffee at home' },
  { _id: 3, title: 'Park life', body: 'Runners run every morning; coffee after' },
  { _id: 4, title: 'Tea', body: 'A guide to green tea and the coffee shop culture' },
  { _id: 5, title: 'Café society', body: 'Paris cafés and their espresso' },
  { _id: 6, title: 'the running man', language: 'none' },
];

beforeAll(async () => {
  client = await mongo.client();
  db = client.db('text_search');
  articles = db.collection<Article>('articles');
  await articles.createIndex({ title: 'text', body: 'text' }, { weights: { title: 10 } });
  await articles.insertMany(ARTICLES);
});

async function ids(search: string | Document): Promise<number[]> {
  const text = typeof search === 'string' ? { $search: search } : search;
  const docs = await articles.find(raw({ $text: text }), { projection: { _id: 1 } }).toArray();
  return docs.map((d) => d._id as number).sort((a, b) => a - b);
}

async function expectCode(work: Promise<unknown>, code: number): Promise<void> {
  let caught: unknown;
  try {
    await work;
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(MongoServerError);
  expect((caught as MongoServerError).code).toBe(code);
}

describe('$text matching', () => {
  it('stems English words: "running" finds run, runs and Running', async () => {
    expect(await ids('running')).toEqual([1, 3]);
    expect(await ids('runs')).toEqual([1, 3]);
  });

  it('ignores stop words, alone or among other terms', async () => {
    expect(await ids('the')).toEqual([]);
    expect(await ids('the coffee')).toEqual([2, 3, 4]);
  });

  it('ORs terms and ANDs phrases with them', async () => {
    expect(await ids('tea espresso')).toEqual([4, 5]);
    expect(await ids('"coffee shop"')).toEqual([4]);
    expect(await ids('espresso "coffee shop"')).toEqual([4]);
  });

  it('excludes negated terms and negated phrases', async () => {
    expect(await ids('coffee -tea')).toEqual([2, 3]);
    expect(await ids('coffee -"coffee shop"')).toEqual([2, 3]);
    expect(await ids('-coffee')).toEqual([]);
  });

  it('is diacritic-insensitive unless asked, case-insensitive unless asked', async () => {
    expect(await ids('cafe')).toEqual([5]);
    expect(await ids({ $search: 'cafe', $diacriticSensitive: true })).toEqual([]);
    expect(await ids({ $search: 'café', $diacriticSensitive: true })).toEqual([5]);
    expect(await ids({ $search: 'Coffee', $caseSensitive: true })).toEqual([2]);
    expect(await ids({ $search: 'coffee', $caseSensitive: true })).toEqual([2, 3, 4]);
  });

  it('tokenizes each document in its own language and the search in $language', async () => {
    // Document 6 is indexed without stemming ("language": "none"): "running" stays "running".
    expect(await ids('man')).toEqual([6]);
    expect(await ids({ $search: 'running', $language: 'none' })).toEqual([6]);
  });

  it('works in count, distinct, update and delete', async () => {
    expect(await articles.countDocuments({ $text: { $search: 'coffee' } })).toBe(3);
    expect((await articles.distinct('_id', { $text: { $search: 'park' } })).sort()).toEqual([1, 3]);
    const upd = await articles.updateMany({ $text: { $search: 'espresso' } }, { $set: { tagged: true } });
    expect(upd.modifiedCount).toBe(1);
    expect(await articles.countDocuments({ tagged: true })).toBe(1);
    const scratch = db.collection('scratch');
    await scratch.createIndex({ note: 'text' });
    await scratch.insertMany([{ note: 'delete me please' }, { note: 'keep' }]);
    expect((await scratch.deleteMany({ $text: { $search: 'deleting' } })).deletedCount).toBe(1);
    expect(await scratch.countDocuments()).toBe(1);
  });

  it('combines $text with other predicates and sees later writes', async () => {
    expect(await ids({ $search: 'coffee' })).toEqual([2, 3, 4]);
    const docs = await articles.find({ $text: { $search: 'coffee' }, _id: { $gt: 2 } }).toArray();
    expect(docs.map((d) => d._id).sort()).toEqual([3, 4]);
    await articles.insertOne({ _id: 7, title: 'Decaf', body: 'coffees without caffeine' });
    expect(await ids('coffee')).toEqual([2, 3, 4, 7]);
    await articles.updateOne({ _id: 7 }, { $set: { body: 'nothing here' } });
    expect(await ids('coffee')).toEqual([2, 3, 4]);
    await articles.deleteOne({ _id: 7 });
  });

  it('sees a transaction its own writes, and nothing of an aborted one', async () => {
    const session = client.startSession();
    try {
      session.startTransaction();
      await articles.insertOne({ _id: 8, title: 'Matcha', body: 'whisked green powder' }, { session });
      const inside = await articles.find({ $text: { $search: 'matcha' } }, { session }).toArray();
      expect(inside.map((d) => d._id)).toEqual([8]);
      expect(await ids('matcha')).toEqual([]);
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await ids('matcha')).toEqual([]);
    await articles.insertOne({ _id: 8, title: 'Oolong', body: 'no matcha here' });
    expect(await ids('matcha')).toEqual([8]);
    expect(await ids('whisked')).toEqual([]);
    await articles.deleteOne({ _id: 8 });
  });
});

describe('textScore', () => {
  // Title weight 10. "Coffee guide": 2 terms, coffe once → 10 × 1 × 0.75. Body "How to brew coffee
  // at home": brew, coffe, home → 1 × (0.5/3 + 0.5).
  const doc2 = 10 * 0.75 + (0.5 / 3 + 0.5);
  // Body "Runners run every morning; coffee after" (after is a stop word): 5 terms.
  const doc3 = 0.5 / 5 + 0.5;
  // Body "A guide to green tea and the coffee shop culture": guid green tea coffe shop cultur.
  const doc4 = 0.5 / 6 + 0.5;

  it('projects and sorts by {$meta: "textScore"} in find', async () => {
    const docs = await articles
      .find({ $text: { $search: 'coffee' } }, { projection: { score: { $meta: 'textScore' } } })
      .sort({ score: { $meta: 'textScore' } })
      .toArray();
    expect(docs.map((d) => d._id)).toEqual([2, 3, 4]);
    expect(docs[0].score).toBeCloseTo(doc2, 12);
    expect(docs[1].score).toBeCloseTo(doc3, 12);
    expect(docs[2].score).toBeCloseTo(doc4, 12);
  });

  it('adds up the scores of several search terms', async () => {
    const [d] = await articles
      .find({ _id: 3, $text: { $search: 'coffee run' } }, { projection: { score: { $meta: 'textScore' } } })
      .toArray();
    // runner, run, everi, morn, coffe: run and coffe once each of 5 terms.
    expect(d.score).toBeCloseTo(2 * (0.5 / 5 + 0.5), 12);
  });

  it('gives the score to aggregation after a leading $match', async () => {
    const docs = await articles
      .aggregate([
        { $match: { $text: { $search: 'coffee' } } },
        { $sort: { score: { $meta: 'textScore' } } },
        { $project: { score: { $meta: 'textScore' } } },
      ])
      .toArray();
    expect(docs.map((d) => d._id)).toEqual([2, 3, 4]);
    expect(docs[0].score).toBeCloseTo(doc2, 12);
    expect(docs[2].score).toBeCloseTo(doc4, 12);
  });

  it('indexes every string of a wildcard index, nested and in arrays', async () => {
    const notes = db.collection<Article>('notes');
    await notes.createIndex({ '$**': 'text' });
    await notes.insertMany([
      { _id: 1, meta: { tags: ['Shipping', 'orders'] } },
      { _id: 2, comments: [{ text: 'ship it' }], n: 3 },
      { _id: 3, other: 'nothing' },
    ]);
    const docs = await notes
      .find({ $text: { $search: 'ships' } }, { projection: { score: { $meta: 'textScore' } } })
      .sort({ score: { $meta: 'textScore' } })
      .toArray();
    expect(docs.map((d) => d._id).sort()).toEqual([1, 2]);
    // "Shipping" (an array element) and "ship it" (it: stop word) hold one term each: 1 × 1 × 1.
    expect(docs.map((d) => d.score)).toEqual([1, 1]);
  });
});

describe('$text errors (mongod codes)', () => {
  it('needs a text index: IndexNotFound (27), also for a missing collection', async () => {
    const plain = db.collection('plain');
    await plain.insertOne({ a: 'coffee' });
    await expectCode(plain.find({ $text: { $search: 'coffee' } }).toArray(), 27);
    await expectCode(
      db
        .collection('missing')
        .find({ $text: { $search: 'x' } })
        .toArray(),
      27,
    );
    await expectCode(plain.aggregate([{ $match: { $text: { $search: 'x' } } }]).toArray(), 27);
  });

  it('rejects a malformed $text argument', async () => {
    await expectCode(articles.find(raw({ $text: { $search: 5 } })).toArray(), 14);
    await expectCode(articles.find(raw({ $text: { $language: 'english' } })).toArray(), 4);
    await expectCode(articles.find(raw({ $text: { $search: 'x', extra: 1 } })).toArray(), 2);
    await expectCode(articles.find(raw({ $text: { $search: 'x', $language: 'klingon' } })).toArray(), 2);
    await expectCode(articles.find(raw({ $text: { $search: 'x', $caseSensitive: 1 } })).toArray(), 14);
  });

  it('allows one $text, not under $nor, not with a hint or $natural sort', async () => {
    const t = { $search: 'coffee' };
    await expectCode(articles.find({ $and: [{ $text: t }, { $text: t }] }).toArray(), 2);
    await expectCode(articles.find({ $nor: [{ $text: t }] }).toArray(), 2);
    await expectCode(articles.find({ $text: t }).hint({ _id: 1 }).toArray(), 2);
    await expectCode(articles.find({ $text: t }).sort({ $natural: 1 }).toArray(), 2);
    await expectCode(articles.find(raw({ a: { $elemMatch: { $text: t } } })).toArray(), 2);
  });

  it('needs indexed $or siblings (291) and is first in a pipeline (17313)', async () => {
    const t = { $search: 'coffee' };
    await expectCode(articles.find({ $or: [{ $text: t }, { title: 'Tea' }] }).toArray(), 291);
    const ok = await articles
      .find({ $or: [{ $text: t }, { _id: 5 }] }, { projection: { score: { $meta: 'textScore' } } })
      .toArray();
    expect(ok.map((d) => d._id).sort()).toEqual([2, 3, 4, 5]);
    // Matched by the _id branch only: no text score (the field is left out, as mongod does).
    expect(ok.find((d) => d._id === 5)).not.toHaveProperty('score');
    expect(ok.find((d) => d._id === 2)).toHaveProperty('score');
    await expectCode(articles.aggregate([{ $match: { _id: 1 } }, { $match: { $text: t } }]).toArray(), 17313);
  });

  it('needs equality on a compound text index prefix (291)', async () => {
    const shop = db.collection('shop');
    await shop.createIndex({ kind: 1, name: 'text' });
    await shop.insertMany([
      { kind: 'cup', name: 'coffee cup' },
      { kind: 'bean', name: 'coffee beans' },
    ]);
    await expectCode(shop.find({ $text: { $search: 'coffee' } }).toArray(), 291);
    const cups = await shop.find({ kind: 'cup', $text: { $search: 'coffee' } }).toArray();
    expect(cups.map((d) => d.name)).toEqual(['coffee cup']);
  });

  it('needs $text for a textScore projection or sort (40218)', async () => {
    await expectCode(articles.find({}, { projection: { s: { $meta: 'textScore' } } }).toArray(), 40218);
    await expectCode(
      articles
        .find({})
        .sort({ s: { $meta: 'textScore' } })
        .toArray(),
      40218,
    );
  });
});
