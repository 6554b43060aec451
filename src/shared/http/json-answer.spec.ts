import express from 'express';
import request from 'supertest';
import { jsonAnswer, sendsJson, weakEtag } from './json-answer.js';

describe('JSON answers', () => {
  it('carry the ETag and content type Express gives the same body', async () => {
    const value = { id: 'ord_1', total: '12.50', note: 'ünïcödé ✓', items: [1, 2, 3] };
    const answer = jsonAnswer(value);
    const app = express();
    app.get('/object', (_req, res) => void res.json(value));
    app.get('/text', (_req, res) => {
      sendsJson(res);
      res.send(answer.json);
    });
    const byExpress = await request(app).get('/object').expect(200);
    const byText = await request(app).get('/text').expect(200);
    expect(byText.text).toBe(byExpress.text);
    expect(byText.headers['content-type']).toBe(byExpress.headers['content-type']);
    expect(answer.etag).toBe(byExpress.headers.etag);
    expect(byText.headers.etag).toBe(byExpress.headers.etag);
  });

  it('an empty text has the empty entity tag', () => {
    expect(weakEtag('')).toBe('W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"');
  });
});
