import { runtimeOptions } from '../shared/projections/projection-runtime.js';
import { configProblems, loadConfig } from './env.js';

describe('projection runtime settings', () => {
  it('default to the documented values; empty values mean the default', () => {
    const expected = {
      projectionResync: true,
      projectionBatchSize: 1000,
      projectionReplayBatchSize: 5000,
      projectionDeferRetries: 5,
      projectionDeferDelayMs: 200,
      projectionRetryAttempts: 5,
      projectionRetryBaseMs: 100,
      projectionRetryMaxMs: 5000,
      projectionLeaseTtlMs: 10_000,
      projectionHeartbeatMs: 3000,
      projectionScanOverlapMs: 300_000,
      projectionInstanceId: undefined,
    };
    expect(loadConfig({})).toMatchObject(expected);
    expect(
      loadConfig({
        PROJECTION_BATCH_SIZE: '',
        PROJECTION_REPLAY_BATCH_SIZE: '',
        PROJECTION_INSTANCE_ID: ' ',
      }),
    ).toMatchObject(expected);
  });

  it('reach the runtime options: batch sizes, deferrals, retries, lease, instance id', () => {
    const options = runtimeOptions(
      loadConfig({
        PROJECTION_RESYNC: 'false',
        PROJECTION_BATCH_SIZE: '250',
        PROJECTION_REPLAY_BATCH_SIZE: '50',
        PROJECTION_DEFER_RETRIES: '0',
        PROJECTION_DEFER_DELAY_MS: '20',
        PROJECTION_RETRY_ATTEMPTS: '3',
        PROJECTION_RETRY_BASE_MS: '20',
        PROJECTION_RETRY_MAX_MS: '50',
        PROJECTION_LEASE_TTL_MS: '1500',
        PROJECTION_HEARTBEAT_MS: '300',
        PROJECTION_SCAN_OVERLAP_MS: '60000',
        PROJECTION_INSTANCE_ID: 'orders-1',
      }),
    );
    expect(options).toMatchObject({
      resync: false,
      batchSize: 250,
      replayBatchSize: 50,
      fastPath: { maxBatch: 250, deferRetries: 0, deferDelayMs: 20 },
      retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 50 },
      leaseTtlMs: 1500,
      heartbeatMs: 300,
      scanOverlapMs: 60_000,
      instanceId: 'orders-1',
    });
    // Without an id: host:pid:random, a new one per process start.
    expect(runtimeOptions(loadConfig({})).instanceId).toMatch(new RegExp(`:${process.pid}:[0-9a-f]{6}$`));
  });

  it('refuses bad values with one line per setting', () => {
    expect(
      configProblems({
        PROJECTION_RESYNC: 'maybe',
        PROJECTION_BATCH_SIZE: '0',
        PROJECTION_REPLAY_BATCH_SIZE: '5k',
        PROJECTION_DEFER_RETRIES: '-1',
        PROJECTION_DEFER_DELAY_MS: '0.5',
        PROJECTION_RETRY_ATTEMPTS: '0',
        PROJECTION_SCAN_OVERLAP_MS: 'forever',
        PROJECTION_INSTANCE_ID: 'host 1',
      }),
    ).toEqual([
      "PROJECTION_RESYNC must be true or false, got 'maybe'",
      "PROJECTION_BATCH_SIZE must be an integer between 1 and 100000, got '0'",
      "PROJECTION_REPLAY_BATCH_SIZE must be an integer between 1 and 100000, got '5k'",
      "PROJECTION_DEFER_RETRIES must be an integer between 0 and 100, got '-1'",
      "PROJECTION_DEFER_DELAY_MS must be an integer between 0 and 60000, got '0.5'",
      "PROJECTION_RETRY_ATTEMPTS must be an integer between 1 and 100, got '0'",
      "PROJECTION_SCAN_OVERLAP_MS must be an integer between 0 and 86400000, got 'forever'",
      "PROJECTION_INSTANCE_ID must be 1 to 200 printable ASCII characters without spaces, got 'host 1'",
    ]);
  });

  it('refuses settings that contradict each other, once each', () => {
    expect(configProblems({ PROJECTION_RETRY_BASE_MS: '500', PROJECTION_RETRY_MAX_MS: '100' })).toEqual([
      "PROJECTION_RETRY_MAX_MS must be at least PROJECTION_RETRY_BASE_MS (500), got '100'",
    ]);
    expect(configProblems({ PROJECTION_LEASE_TTL_MS: '1000', PROJECTION_HEARTBEAT_MS: '1000' })).toEqual([
      "PROJECTION_HEARTBEAT_MS must be less than PROJECTION_LEASE_TTL_MS (1000), got '1000'",
    ]);
    // A setting already refused on its own is not reported again for the relation.
    expect(configProblems({ PROJECTION_LEASE_TTL_MS: '1000', PROJECTION_HEARTBEAT_MS: '99999999' })).toEqual([
      "PROJECTION_HEARTBEAT_MS must be an integer between 50 and 3600000, got '99999999'",
    ]);
  });
});
