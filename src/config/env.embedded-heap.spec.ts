import { totalmem } from 'node:os';
import { configProblems, defaultEmbeddedHeapMb, loadConfig } from './env.js';

describe('EMBEDDED_MONGO_HEAP_MB', () => {
  it("defaults to half the machine's memory, at least 4096 MiB", () => {
    const half = Math.floor(totalmem() / 1024 / 1024 / 2);
    expect(defaultEmbeddedHeapMb()).toBe(Math.max(4096, half));
    expect(loadConfig({}).embeddedHeapMb).toBe(defaultEmbeddedHeapMb());
    expect(loadConfig({ EMBEDDED_MONGO_HEAP_MB: '8192' }).embeddedHeapMb).toBe(8192);
  });

  it('refuses a value that is not a whole number of MiB of at least 256', () => {
    for (const bad of ['100', '4g', '-1']) {
      expect(configProblems({ EMBEDDED_MONGO_HEAP_MB: bad })).toEqual([
        `EMBEDDED_MONGO_HEAP_MB must be an integer between 256 and 1048576, got '${bad}'`,
      ]);
    }
  });
});
