import type { CommandBus, QueryBus } from '@nestjs/cqrs';
import { MongoNetworkError } from 'mongodb';
import type { QueryCache } from '../cache/query-cache.js';
import { conflict, notFound } from '../errors/app-error.js';
import { serviceUnavailable } from '../errors/database-unavailable.js';
import { overloaded } from '../overload/overload.js';
import type { ProjectionRuntime } from '../projections/projection-runtime.js';
import type { ProjectionStatus, ProjectionsService } from '../projections/projections.service.js';
import { failureKind, MetricsService } from './metrics.service.js';

class PlaceOrderCommand {
  constructor(readonly fail?: unknown) {}
}

function metrics(): { service: MetricsService; commandBus: { execute: (c: object) => Promise<unknown> } } {
  const commandBus = {
    execute: (c: object) => {
      const { fail } = c as PlaceOrderCommand;
      return fail === undefined ? Promise.resolve('ok') : Promise.reject(fail);
    },
  };
  const queryBus = { execute: () => Promise.resolve(null) };
  const projections = {
    status: () => Promise.resolve([{ name: 'orders_read', appliedHere: 0 } as ProjectionStatus]),
  } as unknown as ProjectionsService;
  const runtime = {
    applier: { onApplied: () => undefined, statsFor: () => ({ deadLettered: 0 }) },
  } as unknown as ProjectionRuntime;
  const cache = {
    stats: () => ({ store: 'memory', hits: 0, misses: 3, invalidations: 0, errors: 0 }),
  } as unknown as QueryCache;
  const service = new MetricsService(
    commandBus as unknown as CommandBus,
    queryBus as unknown as QueryBus,
    projections,
    runtime,
    cache,
  );
  service.onModuleInit();
  return { service, commandBus };
}

async function values(service: MetricsService, name: string): Promise<Record<string, number>> {
  const metric = service.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const out: Record<string, number> = {};
  for (const v of (await metric.get()).values)
    out[
      Object.entries(v.labels)
        .map(([k, l]) => `${k}=${l}`)
        .join(',')
    ] = v.value;
  return out;
}

describe('failureKind', () => {
  it('4xx answers are the client’s, 5xx answers (and unknown errors) the server’s', () => {
    expect(failureKind(conflict('ORDERS.VERSION_CONFLICT', 'stale'))).toBe('client');
    expect(failureKind(notFound('ORDERS.NOT_FOUND', 'none'))).toBe('client');
    expect(failureKind(serviceUnavailable('down'))).toBe('server');
    expect(failureKind(overloaded('queue full'))).toBe('server');
    expect(failureKind(new MongoNetworkError('connection reset'))).toBe('server');
    expect(failureKind(new TypeError('x is undefined'))).toBe('server');
  });
});

describe('MetricsService', () => {
  it('counts a failed command with kind=client or kind=server, and every command in the total', async () => {
    const { service, commandBus } = metrics();
    await commandBus.execute(new PlaceOrderCommand());
    await expect(
      commandBus.execute(new PlaceOrderCommand(conflict('CATALOG.OUT_OF_STOCK', 'no stock'))),
    ).rejects.toThrow('no stock');
    await expect(commandBus.execute(new PlaceOrderCommand(new Error('bug')))).rejects.toThrow('bug');
    await expect(commandBus.execute(new PlaceOrderCommand(serviceUnavailable('db down')))).rejects.toThrow(
      'db down',
    );

    expect(await values(service, 'cqrs_commands_total')).toEqual({ 'command=PlaceOrderCommand': 4 });
    expect(await values(service, 'cqrs_command_failures_total')).toEqual({
      'command=PlaceOrderCommand,kind=client': 1,
      'command=PlaceOrderCommand,kind=server': 2,
    });
  });

  it('counters fed at scrape time exist at 0 before their first event', async () => {
    const { service } = metrics();
    expect(await values(service, 'cqrs_query_cache_hits_total')).toEqual({ 'store=memory': 0 });
    expect(await values(service, 'cqrs_query_cache_misses_total')).toEqual({ 'store=memory': 3 });
    expect(await values(service, 'cqrs_projection_events_applied_total')).toEqual({
      'projection=orders_read': 0,
    });
    expect(await values(service, 'cqrs_projection_failures_total')).toEqual({
      'projection=orders_read': 0,
    });
  });
});
