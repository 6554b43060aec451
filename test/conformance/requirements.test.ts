import { Int32 } from 'bson';

import { checkRequirements, compareVersions, parseVersion, type ServerFacts } from './requirements.js';

const facts: ServerFacts = {
  version: [8, 0, 4],
  topology: 'replicaset',
  auth: false,
  serverless: false,
  csfle: false,
  serverParameters: { enableTestCommands: true, transactionLifetimeLimitSeconds: 60 },
};

const applicable = (reqs: Parameters<typeof checkRequirements>[0], f: ServerFacts = facts): boolean =>
  checkRequirements(reqs, f).applicable;

describe('server versions', () => {
  it('parses partial and pre-release versions', () => {
    expect(parseVersion('4.2')).toEqual([4, 2, 0]);
    expect(parseVersion('7')).toEqual([7, 0, 0]);
    expect(parseVersion('4.9.0-alpha4-271-g7d5cf02')).toEqual([4, 9, 0]);
  });

  it('compares component by component, numerically', () => {
    expect(compareVersions([4, 0, 10], [4, 0, 9])).toBe(1);
    expect(compareVersions([3, 6, 0], [4, 2, 0])).toBe(-1);
    expect(compareVersions([8, 0, 0], [8, 0, 0])).toBe(0);
  });
});

describe('runOnRequirements', () => {
  it('holds without requirements', () => {
    expect(applicable(undefined)).toBe(true);
    expect(applicable([])).toBe(true);
  });

  it('checks min/max server version inclusively', () => {
    expect(applicable([{ minServerVersion: '8.0' }])).toBe(true);
    expect(applicable([{ minServerVersion: '8.0.5' }])).toBe(false);
    expect(applicable([{ maxServerVersion: '8.0.4' }])).toBe(true);
    expect(applicable([{ maxServerVersion: '7.99' }])).toBe(false);
    expect(applicable([{ minServerVersion: '8.2.0' }])).toBe(false);
  });

  it('checks topologies', () => {
    expect(applicable([{ topologies: ['single', 'replicaset'] }])).toBe(true);
    expect(applicable([{ topologies: ['sharded', 'load-balanced'] }])).toBe(false);
    expect(applicable([{ topologies: ['sharded-replicaset'] }], { ...facts, topology: 'sharded' })).toBe(
      true,
    );
  });

  it('checks auth, serverless and csfle', () => {
    expect(applicable([{ auth: false }])).toBe(true);
    expect(applicable([{ auth: true }])).toBe(false);
    expect(applicable([{ serverless: 'forbid' }])).toBe(true);
    expect(applicable([{ serverless: 'require' }])).toBe(false);
    expect(applicable([{ csfle: true }])).toBe(false);
    expect(applicable([{ csfle: false }])).toBe(true);
    expect(applicable([{ authMechanism: 'SCRAM-SHA-256' }])).toBe(false);
  });

  it('compares server parameters loosely and treats unknown ones as unmet', () => {
    expect(applicable([{ serverParameters: { transactionLifetimeLimitSeconds: new Int32(60) } }])).toBe(true);
    expect(applicable([{ serverParameters: { transactionLifetimeLimitSeconds: 30 } }])).toBe(false);
    expect(applicable([{ serverParameters: { noSuchParameter: true } }])).toBe(false);
    expect(
      applicable([{ serverParameters: { enableTestCommands: true } }], {
        ...facts,
        serverParameters: undefined,
      }),
    ).toBe(false);
  });

  it('needs one alternative to hold entirely, and says why none did', () => {
    expect(applicable([{ minServerVersion: '9.0' }, { topologies: ['replicaset'] }])).toBe(true);
    expect(applicable([{ minServerVersion: '4.0', topologies: ['sharded'] }])).toBe(false);
    const result = checkRequirements([{ minServerVersion: '9.0' }, { topologies: ['sharded'] }], facts);
    expect(result).toEqual({
      applicable: false,
      reason: 'needs server >= 9.0 (server is 8.0.4) OR needs topology sharded (server is replicaset)',
    });
  });
});
