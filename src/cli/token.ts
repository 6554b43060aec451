/**
 * `npm run token -- --role admin` or `npm run token -- --customer <customerId>`: prints a signed
 * development token the running service accepts. Signs with JWT_PRIVATE_KEY when set (a service
 * verifying with the matching JWT_PUBLIC_KEY), else with the HS256 secret (JWT_SECRET, or
 * .data/dev-jwt-secret). With JWT_JWKS_URL the tokens come from the identity provider (README).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/env.js';
import { resolveHs256Secret } from '../shared/auth/jwt-secret.js';
import type { Principal } from '../shared/auth/jwt.js';
import { signingKey, signLocalToken } from '../shared/auth/local-signer.js';

const USAGE = 'Usage: npm run token -- --role admin [--sub NAME] | --customer <customerId>  [--ttl SECONDS]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      customer: { type: 'string' },
      sub: { type: 'string' },
      ttl: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const config = loadConfig();
  let principal: Principal;
  if (values.customer) principal = { sub: values.customer, role: 'customer', customerId: values.customer };
  else if (values.role === 'admin') principal = { sub: values.sub ?? 'admin', role: 'admin' };
  else {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const ttl = values.ttl ? Number(values.ttl) : config.jwtTtlSeconds;
  if (!Number.isInteger(ttl) || ttl <= 0) {
    process.stderr.write('--ttl must be a positive integer\n');
    process.exit(2);
  }
  const signing = signingKey(config, resolveHs256Secret(config).secret);
  if (!signing) {
    process.stderr.write(
      `The service verifies tokens with ${config.jwtMode === 'jwks' ? 'JWT_JWKS_URL' : 'JWT_PUBLIC_KEY'}: ` +
        'get a token from the identity provider (see the README, Security), or set JWT_PRIVATE_KEY to the matching private key.\n',
    );
    process.exit(2);
  }
  process.stdout.write((await signLocalToken(principal, config, signing, ttl)) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
