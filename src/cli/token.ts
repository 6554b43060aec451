/**
 * `npm run token -- --role admin` or `npm run token -- --customer <customerId>`: prints a signed
 * development token for the running service (same secret: JWT_SECRET, or .data/dev-jwt-secret).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/env.js';
import { resolveJwtSecret } from '../shared/auth/jwt-secret.js';
import { signToken, type Principal } from '../shared/auth/jwt.js';

const USAGE = 'Usage: npm run token -- --role admin [--sub NAME] | --customer <customerId>  [--ttl SECONDS]';

function main(): void {
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
  const { secret } = resolveJwtSecret(config.jwtSecret);
  process.stdout.write(signToken(principal, secret, ttl) + '\n');
}

main();
