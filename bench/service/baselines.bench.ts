/**
 * The two baselines, measured in the same run as the service:
 *  (a) HTTP ceiling: a bare node:http child answering a fixed JSON body of the size of a real
 *      GET /api/orders/:id answer, driven at saturation with the same autocannon settings as the
 *      service's cached order query; reported as service / ceiling.
 *  (b) CRUD vs read model: the order-detail read as one $lookup aggregation over the write model
 *      vs findOne on orders_read, both on one minimal node:http + driver child against an embedded
 *      server on the service's data (the service is stopped by then); reported as CRUD / read model.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort, spawnNode, waitForHttp } from './child-process.js';
import { describe, runLoad, type LoadResult, type RequestSpec } from './load.js';
import { distEntry } from './paths.js';

export interface CeilingFigures {
  bodyBytes: number;
  saturation: LoadResult;
}

export interface CrudFigures {
  crud: LoadResult;
  readModel: LoadResult;
  /** CRUD throughput / read-model throughput at saturation (below 1: the CRUD read is slower). */
  throughputRatio: number;
  /** CRUD p50 / read-model p50. */
  p50Ratio: number;
}

const skewed = (n: number): number => Math.min(n - 1, Math.floor(n * Math.random() ** 3));

export async function benchCeiling(
  body: string,
  workDir: string,
  opts: { seconds: number; connections: number },
  log: (line: string) => void,
): Promise<CeilingFigures> {
  const file = path.join(workDir, 'order-body.json');
  await writeFile(file, body);
  const port = await freePort();
  const child = spawnNode({
    args: [distEntry('bench/service/bare-server.js')],
    env: { ...process.env, PORT: String(port), BENCH_BODY_FILE: file },
  });
  try {
    const origin = `http://127.0.0.1:${port}`;
    await waitForHttp(`${origin}/`, child, 30_000);
    const next = (): RequestSpec => ({
      method: 'GET',
      path: '/api/orders/x',
      headers: { authorization: 'Bearer x' },
    });
    await runLoad({ label: 'warm-up', origin, connections: 8, seconds: 1, next });
    log(`baseline (a): bare node:http, ${Buffer.byteLength(body)}-byte body, saturation ...`);
    const saturation = await runLoad({
      label: 'bare node:http',
      origin,
      connections: opts.connections,
      seconds: opts.seconds,
      next,
    });
    log(`  ${describe(saturation)}`);
    return { bodyBytes: Buffer.byteLength(body), saturation };
  } finally {
    await child.stop();
  }
}

export async function benchCrud(
  mongoUri: string,
  orderIds: readonly string[],
  opts: { seconds: number; connections: number },
  log: (line: string) => void,
): Promise<CrudFigures> {
  const port = await freePort();
  const child = spawnNode({
    args: [distEntry('bench/service/crud-server.js')],
    env: { ...process.env, PORT: String(port), MONGO_URI: mongoUri },
  });
  try {
    const origin = `http://127.0.0.1:${port}`;
    await waitForHttp(`${origin}/read/orders/${orderIds[0]}`, child, 60_000);
    const ids = [...orderIds];
    const route = (kind: 'crud' | 'read') => (): RequestSpec => ({
      method: 'GET',
      path: `/${kind}/orders/${ids[skewed(ids.length)]}`,
      headers: {},
    });
    const results: LoadResult[] = [];
    for (const kind of ['crud', 'read'] as const) {
      await runLoad({ label: 'warm-up', origin, connections: 8, seconds: 1, next: route(kind) });
      const label = kind === 'crud' ? 'CRUD $lookup aggregation' : 'read model findOne';
      log(`baseline (b): ${label} at saturation (${opts.connections} connections) for ${opts.seconds} s ...`);
      const r = await runLoad({
        label,
        origin,
        connections: opts.connections,
        seconds: opts.seconds,
        next: route(kind),
      });
      log(`  ${describe(r)}`);
      if (r.non2xx > 0)
        throw new Error(`${label}: ${r.non2xx} non-2xx answers ${JSON.stringify(r.statusCodes)}`);
      results.push(r);
    }
    const [crud, readModel] = results;
    return {
      crud,
      readModel,
      throughputRatio: crud.throughputPerSec / readModel.throughputPerSec,
      p50Ratio: crud.p50Ms / readModel.p50Ms,
    };
  } finally {
    await child.stop();
  }
}
