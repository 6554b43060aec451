/**
 * The `jwks` readiness check (JWT_JWKS_URL only). It asks the key cache to refetch when its
 * cooldown allows (so a provider outage shows within one cooldown, and polling /health never costs
 * the provider more than one request per cooldown) and reports:
 * - up, `provider: "up"`: the last fetch worked;
 * - up, `provider: "down"`: the provider does not answer, but the keys fetched earlier still verify
 *   tokens, so the instance stays ready (taking it out of service would turn a provider outage
 *   into an API outage);
 * - down: no keys at all, so no token can be verified.
 * A fetch still running after PROBE_WAIT_MS is not waited for (like the other checks' 1.5 s
 * timeouts): the check answers with what is known and the fetch completes in the background.
 */
import type { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { JwksKeyStore } from '../auth/jwks-key-store.js';

const PROBE_WAIT_MS = 1500;

export async function jwksHealth(
  indicators: HealthIndicatorService,
  store: JwksKeyStore,
): Promise<HealthIndicatorResult> {
  const session = indicators.check('jwks');
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, PROBE_WAIT_MS);
  });
  await Promise.race([store.probe(), waited]);
  clearTimeout(timer);
  const s = store.status();
  const details = {
    provider: s.providerUp ? 'up' : 'down',
    keys: s.keys,
    ...(s.lastFetchedAt ? { lastFetchedAt: s.lastFetchedAt } : {}),
    ...(s.lastError ? { lastError: s.lastError } : {}),
  };
  return s.keys > 0 ? session.up(details) : session.down(details);
}
