import { createRootLogger } from './json-logging.js';
import { lineScrubber, REDACTED, redactObject, safeUrl } from './log-redaction.js';

describe('lineScrubber', () => {
  const jwt =
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

  it('removes JWTs, bearer credentials and the given secrets, keeping the line valid JSON', () => {
    const secret = 'a-secret-with-"quotes"-and\\backslash-0123456789';
    const scrub = lineScrubber([secret]);
    const line = JSON.stringify({
      msg: `token ${jwt} header Bearer opaque-credential-42 secret ${secret}`,
      nested: { note: `x${jwt}y` },
    });
    const out = scrub(line + '\n');
    expect(out).not.toContain(jwt.split('.')[2]);
    expect(out).not.toContain('opaque-credential-42');
    expect(out).not.toContain(JSON.stringify(secret).slice(1, -1));
    const parsed = JSON.parse(out) as { msg: string };
    expect(parsed.msg).toBe(`token ${REDACTED} header Bearer ${REDACTED} secret ${REDACTED}`);
  });

  it('leaves ordinary lines alone', () => {
    const line = '{"level":"info","msg":"projection orders_read: lease acquired","reqId":"client-req-42"}\n';
    expect(lineScrubber(['some-long-secret-value'])(line)).toBe(line);
  });
});

describe('safeUrl', () => {
  it('censors credential-like query parameters only', () => {
    expect(safeUrl('/api/orders/search?q=tokenizer&access_token=abc.def&limit=5')).toBe(
      `/api/orders/search?q=tokenizer&access_token=${REDACTED}&limit=5`,
    );
    expect(safeUrl('/x?password=p&api-key=k&Secret=s&author=ada&auth=z')).toBe(
      `/x?password=${REDACTED}&api-key=${REDACTED}&Secret=${REDACTED}&author=ada&auth=${REDACTED}`,
    );
    expect(safeUrl('/x?%74oken=t')).toBe(`/x?%74oken=${REDACTED}`);
  });

  it('keeps URLs without a query as they are', () => {
    expect(safeUrl('/api/orders/ord_1')).toBe('/api/orders/ord_1');
  });
});

describe('redactObject', () => {
  it('censors secret-named fields at any depth (objects and arrays), in any case, without touching the input', () => {
    const input = {
      user: { name: 'ada', Password: 'p1' },
      headers: { Authorization: 'Bearer x', cookie: 'c', 'set-cookie': ['s'] },
      list: [{ token: 't' }, { ok: 1 }],
      apiKey: 'k',
      count: 3,
    };
    const copy = structuredClone(input);
    expect(redactObject(input)).toEqual({
      user: { name: 'ada', Password: REDACTED },
      headers: { Authorization: REDACTED, cookie: REDACTED, 'set-cookie': REDACTED },
      list: [{ token: REDACTED }, { ok: 1 }],
      apiKey: REDACTED,
      count: 3,
    });
    expect(input).toEqual(copy);
  });

  it('returns the same object when nothing is secret, and leaves errors to their serializer', () => {
    const clean = { method: 'POST', nested: { a: [1, 2] } };
    expect(redactObject(clean)).toBe(clean);
    const err = Object.assign(new Error('boom'), { token: 't' });
    expect(redactObject({ err }).err).toBe(err);
  });

  it('is applied to every line of the root logger', () => {
    const lines: string[] = [];
    const log = createRootLogger(
      { logLevel: 'info' },
      { destination: { write: (s) => void lines.push(s) }, secrets: [] },
    );
    log.info({ body: { email: 'a@example.com', password: 'hunter2-value' } }, 'signup');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      body: { email: 'a@example.com', password: REDACTED },
      msg: 'signup',
    });
    expect(lines[0]).not.toContain('hunter2-value');
  });
});
