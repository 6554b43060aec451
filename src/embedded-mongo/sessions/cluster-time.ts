/**
 * Cluster-time gossip: a client sends the highest `$clusterTime` it has seen; the server's clock
 * moves up to it (never down), so operation times it hands out later are not behind what the
 * client already knows. `afterClusterTime` is honoured the same way: on one node every write up to
 * the current time is visible, so reaching that time is all a causally consistent read needs.
 * Times further than a year from the wall clock are refused, as mongod's
 * maxAcceptableLogicalClockDriftSecs does.
 */
import { Timestamp } from '../bson.js';
import { compareTimestamps, type ClusterClock } from '../catalog/clock.js';
import { mongoError } from '../errors.js';
import { isPlainObject } from '../values/types.js';

const MAX_CLOCK_DRIFT_SECS = 365 * 24 * 3600;

export function advanceClusterTime(clock: ClusterClock, ts: Timestamp): void {
  if (compareTimestamps(ts, clock.current()) <= 0) return;
  const wall = Math.floor(Date.now() / 1000);
  if (ts.t - wall > MAX_CLOCK_DRIFT_SECS) {
    throw mongoError(
      'ClusterTimeFailsRateLimiter',
      `New cluster time, ${ts.t}, is too far from this node's wall clock time, ${wall}.`,
    );
  }
  clock.advanceTo(ts);
}

/** The `$clusterTime` field of a command, when well formed. */
export function gossipClusterTime(clock: ClusterClock, value: unknown): void {
  if (!isPlainObject(value) || !(value.clusterTime instanceof Timestamp)) return;
  advanceClusterTime(clock, value.clusterTime);
}
