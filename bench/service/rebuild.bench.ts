/**
 * Rebuild throughput of `orders_read`: on its own data directory (a copy of the seeded one plus
 * `count` generated orders, rebuild-data.ts), runs the real rebuild path exactly as
 * `npm run projections -- rebuild orders_read` does (the compiled CLI in a child process) and times
 * it from its first `replaying` progress line to `done` (the replay, catch-up and swap; the
 * application's start-up is reported apart). The orders in `orders_read` afterwards are counted.
 *
 * Runs to the end by default. With a time box (`BENCH_REBUILD_BOX_S`), a replay still running
 * after that long is stopped (SIGTERM; the data directory is not used afterwards) and the rate over
 * that window is reported, with the full rebuild's duration extrapolated from it
 * (orders/s = events/s x orders / events in the log).
 */
import { MongoClient } from 'mongodb';
import { startServerChild } from '../../test/helpers/server-child.js';
import { spawnNode } from './child-process.js';
import { distEntry } from './paths.js';
import { generateOrders, type GeneratedData } from './rebuild-data.js';
import { serviceEnv, type ServiceOptions } from './service.js';

export interface RebuildFigures {
  generated: GeneratedData;
  /** Orders in the event log (generated + seeded). */
  orders: number;
  /** Events of the log the projection handles (the replay's total). */
  eventsTotal: number;
  /** false: stopped at the time box; the rates are over the replayed part. */
  complete: boolean;
  /** Counted after a complete rebuild, else null. */
  ordersInReadModel: number | null;
  eventsReplayed: number;
  /** From the first `replaying` line to `done`. */
  seconds: number;
  /** From spawning the CLI to its exit (includes the application's start-up). */
  wallSeconds: number;
  ordersPerSec: number;
  eventsPerSec: number;
  /** The full rebuild's duration: measured when complete, else extrapolated from the rate. */
  fullRebuildSeconds: number;
}

const PROGRESS = /^([a-z-]+) (\d+)\/(\d+)$/;

export async function benchRebuild(
  options: ServiceOptions,
  count: number,
  seededOrders: number,
  /** null: no box, the rebuild runs to the end. */
  maxReplaySeconds: number | null,
  log: (line: string) => void,
): Promise<RebuildFigures> {
  let server = await startServerChild({ dbPath: options.dataDir, logLevel: 'error' });
  let generated: GeneratedData;
  try {
    log(`rebuild: generating ${count} orders (write model + domain_events, bulk inserts) ...`);
    generated = await generateOrders(server.uri, count, log);
  } finally {
    await server.stop(300_000);
  }

  log('rebuild: npm run projections -- rebuild orders_read (compiled CLI, child process) ...');
  const spawned = performance.now();
  let replayStarted: number | undefined;
  let finished: number | undefined;
  let events = 0;
  let eventsTotal = 0;
  let stopped = false;
  let nextReport = 0.1;
  let nextReportAt = performance.now() + 30_000;
  let boxTimer: NodeJS.Timeout | undefined;
  // The rate of a stopped replay counts the events of its last progress line.
  const stopAtBox = (): void => {
    if (stopped || finished !== undefined) return;
    stopped = true;
    finished = performance.now();
    log(
      `rebuild: time box of ${maxReplaySeconds} s reached at ${events} / ${eventsTotal} events: stopping the CLI`,
    );
    void child.stop(10_000);
  };
  const child = spawnNode({
    args: [distEntry('src/cli/projections.js'), 'rebuild', 'orders_read'],
    env: serviceEnv(options),
    onLine: (line) => {
      const m = PROGRESS.exec(line.trim());
      if (!m) return;
      const [, phase, processed, total] = m;
      events = Number(processed);
      if (phase === 'replaying') {
        if (replayStarted === undefined) {
          replayStarted = performance.now();
          // A timer, not the next progress line: a replay may stall between lines.
          if (maxReplaySeconds !== null) boxTimer = setTimeout(stopAtBox, maxReplaySeconds * 1000);
        }
        eventsTotal = Number(total);
        const share = Number(total) > 0 ? events / Number(total) : 0;
        if (events > 0 && (share >= nextReport || performance.now() >= nextReportAt)) {
          while (nextReport <= share) nextReport += 0.1;
          nextReportAt = performance.now() + 30_000;
          const s = (performance.now() - replayStarted) / 1000;
          log(
            `rebuild: replaying ${events} / ${total} events (${s.toFixed(1)} s, ${(events / s).toFixed(0)} events/s)`,
          );
        }
      } else if (phase === 'done' && !stopped) finished = performance.now();
    },
  });
  const code = await child.exited;
  clearTimeout(boxTimer);
  const wallSeconds = (performance.now() - spawned) / 1000;
  if ((code !== 0 && !stopped) || replayStarted === undefined || finished === undefined)
    throw new Error(`rebuild failed (exit ${code}):\n${child.tail()}`);
  const seconds = (finished - replayStarted) / 1000;
  const orders = generated.orders + seededOrders;
  if (stopped) {
    const eventsPerSec = events / seconds;
    return {
      generated,
      orders,
      eventsTotal,
      complete: false,
      ordersInReadModel: null,
      eventsReplayed: events,
      seconds,
      wallSeconds,
      eventsPerSec,
      ordersPerSec: (eventsPerSec * orders) / eventsTotal,
      fullRebuildSeconds: eventsTotal / eventsPerSec,
    };
  }

  server = await startServerChild({ dbPath: options.dataDir, logLevel: 'error' });
  let ordersInReadModel: number;
  try {
    const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 10_000 });
    await client.connect();
    try {
      ordersInReadModel = await client.db('app_read').collection('orders_read').countDocuments();
    } finally {
      await client.close();
    }
  } finally {
    await server.stop(300_000);
  }
  return {
    generated,
    orders,
    eventsTotal,
    complete: true,
    ordersInReadModel,
    eventsReplayed: events,
    seconds,
    wallSeconds,
    ordersPerSec: ordersInReadModel / seconds,
    eventsPerSec: events / seconds,
    fullRebuildSeconds: seconds,
  };
}
