import { FailPoint, parseFailPointMode } from './fail-point.js';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: number }).code;
  }
  return undefined;
}

describe('fail point modes', () => {
  it('{times: n} fires n times, then turns itself off', () => {
    const fp = new FailPoint('failCommand');
    fp.configure(parseFailPointMode({ times: 2 }), { x: 1 });
    expect(fp.evaluate()).toEqual({ x: 1 });
    expect(fp.evaluate()).toEqual({ x: 1 });
    expect(fp.evaluate()).toBeUndefined();
    expect(fp.isActive).toBe(false);
    expect(fp.timesEntered).toBe(2);
  });

  it('{skip: n} lets n evaluations pass, then fires every time', () => {
    const fp = new FailPoint('failCommand');
    fp.configure(parseFailPointMode({ skip: 2 }), {});
    expect([fp.evaluate(), fp.evaluate(), fp.evaluate(), fp.evaluate()].map(Boolean)).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });

  it('alwaysOn fires until off; off never fires', () => {
    const fp = new FailPoint('failCommand');
    fp.configure(parseFailPointMode('alwaysOn'), {});
    expect(fp.evaluate()).toBeDefined();
    expect(fp.evaluate()).toBeDefined();
    fp.configure(parseFailPointMode('off'), {});
    expect(fp.evaluate()).toBeUndefined();
  });

  it('an evaluation the filter rejects neither fires nor counts', () => {
    const fp = new FailPoint('failCommand');
    fp.configure(parseFailPointMode({ times: 1 }), { failCommands: ['insert'] });
    expect(fp.evaluate(() => false)).toBeUndefined();
    expect(fp.evaluate(() => true)).toBeDefined();
    expect(fp.timesEntered).toBe(1);
  });

  it('configure reports how many times the point fired before', () => {
    const fp = new FailPoint('failCommand');
    expect(fp.configure(parseFailPointMode('alwaysOn'), {})).toBe(0);
    fp.evaluate();
    fp.evaluate();
    expect(fp.configure(parseFailPointMode('off'), {})).toBe(2);
  });

  it('rejects modes mongod rejects', () => {
    expect(codeOf(() => parseFailPointMode('sometimes'))).toBe(2);
    expect(codeOf(() => parseFailPointMode({ times: -1 }))).toBe(2);
    expect(codeOf(() => parseFailPointMode({ activationProbability: 2 }))).toBe(2);
    expect(codeOf(() => parseFailPointMode(3))).toBe(14);
    expect(parseFailPointMode({ times: 0 })).toEqual({ kind: 'off' });
  });
});
