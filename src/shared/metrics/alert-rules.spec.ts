/**
 * The Prometheus alerting rules (ops/prometheus/alerts.yml): every cqrs_* metric and label they
 * name is one this service exports, promtool accepts them, and their promtool unit tests
 * (alerts.test.yml: each alert fires on its input; healthy, idle and low-volume inputs do not) pass.
 *
 * promtool comes from Debian's `prometheus` package (.ci/run installs it). Without it the promtool
 * tests fail when CI is set, and are skipped (saying so) otherwise.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Histogram } from 'prom-client';
import { MetricsService } from './metrics.service.js';

const RULES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../ops/prometheus');
const RULES = resolve(RULES_DIR, 'alerts.yml');
const RULE_TESTS = resolve(RULES_DIR, 'alerts.test.yml');

function promtoolInstalled(): boolean {
  const r = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0;
}

function promtool(...args: string[]): void {
  const r = spawnSync('promtool', args, { encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  if (r.status !== 0)
    throw new Error(`promtool ${args.join(' ')} exited with ${r.status}:\n${r.stdout}${r.stderr}`);
}

const ci = !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());
const installed = promtoolInstalled();
/** With promtool, or in CI (where its absence must fail): run; elsewhere skip and say why. */
const withPromtool = (title: string, fn: () => void): void => {
  if (installed) it(title, fn);
  else if (ci)
    it(title, () => {
      throw new Error(
        "promtool is not installed (it comes with Debian's prometheus package: apt-get install --no-install-recommends prometheus; .ci/run installs it)",
      );
    });
  else it.skip(`${title} [skipped: promtool is not installed; apt-get install prometheus]`, fn);
};

describe('alerting rules (ops/prometheus/alerts.yml)', () => {
  const text = readFileSync(RULES, 'utf8');

  it('name only metrics and labels this service exports', () => {
    // The constructor registers every metric; nothing is collected, so no dependency is called.
    const service = new MetricsService({} as never, {} as never, {} as never, {} as never, {} as never);
    const labels = new Map<string, string[]>();
    for (const m of service.registry.getMetricsAsArray()) {
      const names = (m as unknown as { labelNames: string[] }).labelNames;
      labels.set(m.name, names);
      if (m instanceof Histogram)
        for (const s of ['_bucket', '_count', '_sum']) labels.set(m.name + s, names);
    }
    const used = [...text.matchAll(/\b(cqrs_[a-z_]+)(\{[^}]*\})?/g)];
    expect(used.length).toBeGreaterThan(8);
    for (const [, name, selector] of used) {
      expect({ name, exported: labels.has(name) }).toEqual({ name, exported: true });
      for (const [, label] of (selector ?? '').matchAll(/(\w+)\s*=~?/g))
        expect({ name, label, known: labels.get(name)?.includes(label) }).toEqual({
          name,
          label,
          known: true,
        });
    }
  });

  withPromtool('pass `promtool check rules`', () => promtool('check', 'rules', RULES));

  withPromtool('pass their promtool unit tests (each alert fires; healthy and idle series do not)', () =>
    promtool('test', 'rules', RULE_TESTS),
  );
});
