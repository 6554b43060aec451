import { Timestamp } from '../bson.js';
import { ClusterClock, compareTimestamps } from './clock.js';

describe('ClusterClock', () => {
  it('uses wall-clock seconds and counts the increment within a second', () => {
    let now = 1_700_000_000;
    const clock = new ClusterClock(() => now);
    expect([clock.tick(), clock.tick()].map((t) => [t.t, t.i])).toEqual([
      [now, 1],
      [now, 2],
    ]);
    now++;
    expect([clock.tick().t, clock.current().i]).toEqual([now, 1]);
  });

  it('never goes backwards: not when the wall clock does, not below what recovery saw', () => {
    let now = 1_700_000_100;
    const clock = new ClusterClock(() => now);
    const a = clock.tick();
    now -= 50;
    const b = clock.tick();
    expect(compareTimestamps(b, a)).toBe(1);
    expect(b.t).toBe(a.t);
    clock.advanceTo(new Timestamp({ t: 1_800_000_000, i: 7 }));
    expect([clock.tick().t, clock.current().i]).toEqual([1_800_000_000, 8]);
    clock.advanceTo(new Timestamp({ t: 1, i: 1 }));
    expect(clock.current().t).toBe(1_800_000_000);
  });
});
