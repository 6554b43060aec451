import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { JwksKeyStore, KeysUnavailableError } from './jwks-key-store.js';

/** A fake provider: serves `keys` (or fails while `down`), counts requests; a fake clock. */
function provider() {
  const state = { keys: [] as JWK[], down: false, requests: 0, now: 1_000_000 };
  const fetchImpl = (async () => {
    state.requests++;
    if (state.down) throw new TypeError('fetch failed');
    return new Response(JSON.stringify({ keys: state.keys }), { status: 200 });
  }) as typeof fetch;
  const store = new JwksKeyStore({
    url: 'http://idp.test/jwks',
    cooldownMs: 30_000,
    maxAgeMs: 600_000,
    fetch: fetchImpl,
    now: () => state.now,
  });
  return { state, store };
}

async function keyPair(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const sign = () =>
    new SignJWT({ sub: 's' })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setExpirationTime('1m')
      .sign(privateKey);
  return { jwk, sign };
}

const verify = (store: JwksKeyStore, token: string) =>
  jwtVerify(token, store.getKey, { algorithms: ['ES256'] });

describe('JWKS key store', () => {
  it('fetches once, then verifies from the cache', async () => {
    const { state, store } = provider();
    const k1 = await keyPair('k1');
    state.keys = [k1.jwk];
    await verify(store, await k1.sign());
    await verify(store, await k1.sign());
    expect(state.requests).toBe(1);
  });

  it('an unknown kid refetches (rotation), but at most once per cooldown', async () => {
    const { state, store } = provider();
    const [k1, k2, k3] = [await keyPair('k1'), await keyPair('k2'), await keyPair('k3')];
    state.keys = [k1.jwk];
    await verify(store, await k1.sign());
    state.now += 30_000;
    state.keys = [k1.jwk, k2.jwk]; // rotated in at the provider
    await verify(store, await k2.sign());
    expect(state.requests).toBe(2);
    // A flood of unknown kids within the cooldown: refused without asking the provider again.
    state.keys = [k1.jwk, k2.jwk, k3.jwk];
    for (let i = 0; i < 20; i++)
      await expect(verify(store, await k3.sign())).rejects.toThrow('no applicable key');
    expect(state.requests).toBe(2);
    state.now += 30_000;
    await verify(store, await k3.sign());
    expect(state.requests).toBe(3);
  });

  it('a provider outage keeps the cached keys verifying, also past the max age; health shows it', async () => {
    const { state, store } = provider();
    const k1 = await keyPair('k1');
    state.keys = [k1.jwk];
    await verify(store, await k1.sign());
    state.down = true;
    state.now += 700_000; // stale: a background refetch fails
    await verify(store, await k1.sign());
    await store.idle();
    expect(state.requests).toBe(2);
    await verify(store, await k1.sign());
    expect(store.status()).toMatchObject({ providerUp: false, keys: 1, lastError: 'fetch failed' });
    state.down = false;
    state.now += 30_000;
    expect(await store.probe()).toMatchObject({ providerUp: true, keys: 1 });
  });

  it('no keys at all and the provider down: KeysUnavailableError (503), retried only after the cooldown', async () => {
    const { state, store } = provider();
    const k1 = await keyPair('k1');
    state.down = true;
    await expect(verify(store, await k1.sign())).rejects.toBeInstanceOf(KeysUnavailableError);
    await expect(verify(store, await k1.sign())).rejects.toBeInstanceOf(KeysUnavailableError);
    expect(state.requests).toBe(1);
    expect(await store.probe()).toMatchObject({ providerUp: false, keys: 0 });
    state.down = false;
    state.keys = [k1.jwk];
    state.now += 30_000;
    await verify(store, await k1.sign());
    expect(state.requests).toBe(2);
  });

  it('concurrent unknown kids share one fetch', async () => {
    const { state, store } = provider();
    const k1 = await keyPair('k1');
    state.keys = [k1.jwk];
    await Promise.all([1, 2, 3, 4].map(async () => verify(store, await k1.sign())));
    expect(state.requests).toBe(1);
  });
});
