/**
 * `npm run projections -- <command> [--json]`: operate the projection runtime.
 *
 *   status                      checkpoint, events behind, lag, dead letters, lease holder per projection
 *   rebuild <name>              rebuild into shadow collections, swap in; progress on stderr
 *   verify [name]               replay into scratch collections and diff against live (exit 1 if any difference); progress on stderr
 *   dead-letters list [name]    dead letters (status dead)
 *   dead-letters retry <id>     re-apply a dead letter's event
 *   dead-letters discard <id>   mark it discarded
 *
 * Uses the same configuration as `npm start` (MONGODB_URI, or the embedded server's data in
 * EMBEDDED_MONGO_DBPATH; with the embedded server stop `npm start` first: its data directory has
 * one owner). This process does not run resync streams (PROJECTION_RESYNC=false), so it never takes
 * a lease from a running instance. Rates and lag "here" are per process: the CLI shows the stored
 * checkpoint lag instead. Ctrl-C (SIGINT) or SIGTERM stops a rebuild or verify before its next
 * batch (a rebuild's shadow collections are dropped, the live ones stay as they were) and exits 1.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { parseArgs } from 'node:util';
import { createApp } from '../bootstrap.js';
import { ConfigError, loadConfig } from '../config/env.js';
import { ProjectionsService } from '../shared/projections/projections.service.js';
import { onShutdownSignals } from '../shutdown.js';

const USAGE =
  'Usage: npm run projections -- status | rebuild <name> | verify [name] | ' +
  'dead-letters list [name] | dead-letters retry <id> | dead-letters discard <id>  [--json]';

function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write((json ? JSON.stringify(value, null, 2) : text()) + '\n');
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  const [command, arg1, arg2] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE + '\n');
    return values.help ? 0 : 2;
  }
  const json = values.json ?? false;
  // Keep stdout for the answer (--json must parse): only warnings and errors, on stderr.
  Logger.overrideLogger(['error', 'warn']);
  const config = { ...loadConfig(), projectionResync: false };
  const running = await createApp(config, { logger: false });
  onShutdownSignals({
    timeoutMs: config.shutdownTimeoutMs,
    exit: (code) => process.exit(code),
    logger: new Logger('Projections'),
    step: () => running.closing,
    shutdown: async () => {
      await running.close();
      return 1;
    },
  });
  try {
    const svc = running.app.get(ProjectionsService);
    switch (command) {
      case 'status': {
        const all = await svc.status();
        print(
          json,
          all,
          () =>
            all
              .map(
                (s) =>
                  `${s.name}: behind ${s.eventsBehindCapped ? '>= ' : ''}${s.eventsBehind} events, checkpoint ${s.checkpoint?.lastEventId ?? '-'} ` +
                  `(${s.checkpoint?.updatedAt.toISOString() ?? 'never'}), lag ${s.lagMs} ms, ` +
                  `dead letters ${s.deadLetters}, lease ${s.lease ? `${s.lease.holder}${s.lease.expired ? ' (expired)' : ''}` : 'none'}`,
              )
              .join('\n') || 'no projections registered',
        );
        return 0;
      }
      case 'rebuild': {
        if (!arg1) break;
        const result = await svc.rebuild(arg1, (p) => {
          if (!json) process.stderr.write(`${p.phase} ${p.processed}/${p.total}\n`);
        });
        print(json, result, () =>
          result.phase === 'done'
            ? `${result.projection}: rebuilt from ${result.processed} events and swapped in`
            : `${result.projection}: rebuild failed: ${result.error ?? 'unknown'}`,
        );
        return result.phase === 'done' ? 0 : 1;
      }
      case 'verify': {
        const reports = await svc.verify(arg1, (p) => {
          if (!json) process.stderr.write(`${p.projection} ${p.phase} ${p.processed}/${p.total}\n`);
        });
        print(json, reports, () =>
          reports
            .map(
              (r) =>
                `${r.projection}: ${r.differences} differences (${r.events} events replayed)` +
                r.samples
                  .slice(0, 20)
                  .map((d) => `\n  ${d.collection} ${d.id}: ${d.kind}`)
                  .join(''),
            )
            .join('\n'),
        );
        return reports.some((r) => r.differences > 0) ? 1 : 0;
      }
      case 'dead-letters': {
        if (arg1 === 'list') {
          const list = await svc.listDeadLetters(arg2 ? { projection: arg2 } : {});
          print(json, list, () =>
            list.length === 0
              ? 'no dead letters'
              : list
                  .map(
                    (d) =>
                      `${d.id} ${d.projection} ${d.event.type} ${d.event.eventId} attempts ${d.attempts} ` +
                      `last ${d.lastFailureAt.toISOString()}: ${d.error}`,
                  )
                  .join('\n'),
          );
          return 0;
        }
        if ((arg1 === 'retry' || arg1 === 'discard') && arg2) {
          const d = arg1 === 'retry' ? await svc.retryDeadLetter(arg2) : await svc.discardDeadLetter(arg2);
          print(json, d, () => `${d.id}: ${d.status}${d.status === 'dead' ? ` (${d.error})` : ''}`);
          return d.status === 'dead' ? 1 : 0;
        }
        break;
      }
    }
    process.stderr.write(USAGE + '\n');
    return 2;
  } finally {
    await running.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof ConfigError) process.stderr.write(e.message + '\n');
    else process.stderr.write(`projections: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
