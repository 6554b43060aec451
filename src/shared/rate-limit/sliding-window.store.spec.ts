import { SlidingWindowStore } from './sliding-window.store.js';

describe('SlidingWindowStore', () => {
  let now = 1_000_000;
  const store = new SlidingWindowStore(() => now);
  afterAll(() => store.onApplicationShutdown());

  it('counts hits per key, refuses the one over the limit without counting it', async () => {
    now = 1_000_000;
    for (let i = 1; i <= 3; i++) {
      const r = await store.increment('a', 10_000, 3);
      expect(r).toMatchObject({ totalHits: i, isBlocked: false, timeToBlockExpire: 0 });
      now += 1000;
    }
    const over = await store.increment('a', 10_000, 3);
    // The first hit (t=0) leaves the window at t=10 s; it is t=3 s.
    expect(over).toMatchObject({ isBlocked: true, timeToBlockExpire: 7 });
    expect((await store.increment('b', 10_000, 3)).isBlocked).toBe(false);
  });

  it('frees one slot per expired hit (sliding, not fixed, window)', async () => {
    now = 1_000_000 + 10_000; // the first hit of 'a' has expired, the others have not
    expect((await store.increment('a', 10_000, 3)).isBlocked).toBe(false);
    expect((await store.increment('a', 10_000, 3)).isBlocked).toBe(true);
  });

  it('sweeps keys whose hits have all expired', async () => {
    now += 60_000;
    store.sweep();
    expect(store.size).toBe(0);
  });
});
