import { configProblems, loadConfig } from './env.js';

describe('rate limit settings', () => {
  it('default to 300 commands per 60 s; empty values mean the default, not "off"', () => {
    expect(loadConfig({})).toMatchObject({ rateLimitCommands: 300, rateLimitWindowMs: 60_000 });
    expect(loadConfig({ RATE_LIMIT_COMMANDS: '', RATE_LIMIT_WINDOW_MS: '' })).toMatchObject({
      rateLimitCommands: 300,
      rateLimitWindowMs: 60_000,
    });
    expect(loadConfig({ RATE_LIMIT_COMMANDS: '0', RATE_LIMIT_WINDOW_MS: '1500' })).toMatchObject({
      rateLimitCommands: 0,
      rateLimitWindowMs: 1500,
    });
  });

  it('refuses bad values with one message per setting', () => {
    expect(configProblems({ RATE_LIMIT_COMMANDS: '-1', RATE_LIMIT_WINDOW_MS: '1m' })).toEqual([
      "RATE_LIMIT_COMMANDS must be an integer between 0 and 1000000, got '-1'",
      "RATE_LIMIT_WINDOW_MS must be an integer between 100 and 86400000, got '1m'",
    ]);
  });
});
