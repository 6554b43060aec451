import { SortedList } from './sorted-list.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

describe('SortedList', () => {
  it('agrees with a sorted array under random inserts, deletes and seeks (small chunks)', () => {
    const rand = rng(42);
    const list = new SortedList<number>((a, b) => a - b, 8);
    const model: number[] = [];
    for (let step = 0; step < 5000; step++) {
      const v = Math.floor(rand() * 500);
      if (rand() < 0.6) {
        const inserted = list.insert(v);
        expect(inserted).toBe(!model.includes(v));
        if (inserted) model.push(v);
      } else {
        const i = model.indexOf(v);
        expect(list.delete(v)).toBe(i >= 0);
        if (i >= 0) model.splice(i, 1);
      }
      if (step % 250 === 0) {
        model.sort((a, b) => a - b);
        expect([...list]).toEqual(model);
        expect(list.size).toBe(model.length);
        const probe = Math.floor(rand() * 500);
        expect(list.at(list.seek((x) => x >= probe))).toBe(model.find((x) => x >= probe));
        expect(list.at(list.seekLastBefore((x) => x >= probe))).toBe(
          [...model].reverse().find((x) => x < probe),
        );
      }
    }
    // Walking forward and backward visits every item in order.
    model.sort((a, b) => a - b);
    const fwd: number[] = [];
    for (let p = list.first(); p; p = list.next(p)) fwd.push(list.at(p) as number);
    const back: number[] = [];
    for (let p = list.last(); p; p = list.prev(p)) back.push(list.at(p) as number);
    expect(fwd).toEqual(model);
    expect(back).toEqual([...model].reverse());
  });

  it('bulk-loads sorted items', () => {
    const list = new SortedList<number>((a, b) => a - b, 4);
    list.loadSorted([1, 2, 3, 4, 5, 6, 7]);
    list.insert(0);
    list.delete(4);
    expect([...list]).toEqual([0, 1, 2, 3, 5, 6, 7]);
  });
});
