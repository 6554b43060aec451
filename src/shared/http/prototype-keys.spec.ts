import { prototypeKeyPaths } from './prototype-keys.js';

describe('prototype keys in JSON bodies', () => {
  it('finds __proto__, constructor and prototype at any depth, as JSON.parse keeps them', () => {
    const body: unknown = JSON.parse(
      '{"items":[{"productId":"p","__proto__":{"x":1}}],"__proto__":{"role":"admin"},"a":{"b":{"constructor":{"prototype":1}}}}',
    );
    expect(prototypeKeyPaths(body).sort()).toEqual(
      ['__proto__', 'a.b.constructor', 'a.b.constructor.prototype', 'items.0.__proto__'].sort(),
    );
  });

  it('ignores ordinary bodies, values named like the keys, and non-objects', () => {
    expect(prototypeKeyPaths(JSON.parse('{"name":"__proto__","tags":["constructor"]}'))).toEqual([]);
    expect(prototypeKeyPaths(undefined)).toEqual([]);
    expect(prototypeKeyPaths('x')).toEqual([]);
  });
});
