import { createHmac } from 'node:crypto';
import { signToken, TokenError, verifyToken } from './jwt.js';

const SECRET = 'unit-test-secret-unit-test-secret-0123';
const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('HS256 tokens', () => {
  it('round-trips a customer principal', () => {
    const t = signToken({ sub: 'cus_1', role: 'customer', customerId: 'cus_1' }, SECRET, 60);
    expect(verifyToken(t, SECRET)).toMatchObject({ sub: 'cus_1', role: 'customer', customerId: 'cus_1' });
  });

  it('rejects alg none, other algorithms, tampered payloads and wrong secrets', () => {
    const good = signToken({ sub: 'admin', role: 'admin' }, SECRET, 60);
    const [, payload, sig] = good.split('.');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    expect(() => verifyToken(none, SECRET)).toThrow(TokenError);
    const hs512 = `${b64({ alg: 'HS512', typ: 'JWT' })}.${payload}.${sig}`;
    expect(() => verifyToken(hs512, SECRET)).toThrow('unsupported token algorithm');
    const forged = b64({ sub: 'x', role: 'admin', exp: Math.floor(Date.now() / 1000) + 60 });
    expect(() => verifyToken(`${good.split('.')[0]}.${forged}.${sig}`, SECRET)).toThrow(
      'invalid token signature',
    );
    expect(() => verifyToken(good, SECRET + 'x')).toThrow('invalid token signature');
  });

  it('enforces expiry and requires exp, a role and a customerId for customers', () => {
    const expired = signToken({ sub: 'admin', role: 'admin' }, SECRET, 60, Date.now() - 120_000);
    expect(() => verifyToken(expired, SECRET)).toThrow('token expired');
    const sign = (claims: object): string => {
      const h = b64({ alg: 'HS256', typ: 'JWT' });
      const p = b64(claims);
      return `${h}.${p}.${createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url')}`;
    };
    const exp = Math.floor(Date.now() / 1000) + 60;
    expect(() => verifyToken(sign({ sub: 'a', role: 'admin' }), SECRET)).toThrow('token has no expiry');
    expect(() => verifyToken(sign({ sub: 'a', role: 'root', exp }), SECRET)).toThrow(
      'token has no valid role',
    );
    expect(() => verifyToken(sign({ sub: 'a', role: 'customer', exp }), SECRET)).toThrow(
      'customer token has no customerId',
    );
    expect(() => verifyToken('not-a-token', SECRET)).toThrow('malformed token');
  });
});
