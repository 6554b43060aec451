import { configProblems, loadConfig } from './env.js';

describe('shutdown settings', () => {
  it('default to a 5 s grace for in-flight requests and a forced exit after 10 s', () => {
    expect(loadConfig({})).toMatchObject({ shutdownGraceMs: 5000, shutdownTimeoutMs: 10_000 });
    expect(loadConfig({ SHUTDOWN_GRACE_MS: '', SHUTDOWN_TIMEOUT_MS: '' })).toMatchObject({
      shutdownGraceMs: 5000,
      shutdownTimeoutMs: 10_000,
    });
    expect(loadConfig({ SHUTDOWN_GRACE_MS: '0', SHUTDOWN_TIMEOUT_MS: '25000' })).toMatchObject({
      shutdownGraceMs: 0,
      shutdownTimeoutMs: 25_000,
    });
  });

  it('refuses bad values with one line per setting', () => {
    expect(configProblems({ SHUTDOWN_GRACE_MS: '5s', SHUTDOWN_TIMEOUT_MS: '500' })).toEqual([
      "SHUTDOWN_GRACE_MS must be an integer between 0 and 600000, got '5s'",
      "SHUTDOWN_TIMEOUT_MS must be an integer between 1000 and 600000, got '500'",
    ]);
  });

  it('refuses a grace period that does not end before the forced exit', () => {
    expect(configProblems({ SHUTDOWN_GRACE_MS: '10000' })).toEqual([
      "SHUTDOWN_GRACE_MS must be less than SHUTDOWN_TIMEOUT_MS (10000), got '10000'",
    ]);
    expect(configProblems({ SHUTDOWN_GRACE_MS: '8000', SHUTDOWN_TIMEOUT_MS: '5000' })).toEqual([
      "SHUTDOWN_GRACE_MS must be less than SHUTDOWN_TIMEOUT_MS (5000), got '8000'",
    ]);
  });
});
