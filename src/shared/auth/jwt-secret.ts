/**
 * Where the signing secret comes from: JWT_SECRET, or, outside production only, a random secret
 * generated once and kept in `.data/dev-jwt-secret` (git-ignored) so that `npm run token` and the
 * running service agree. Production refuses to start without JWT_SECRET (see config/env.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const DEV_SECRET_FILE = path.join('.data', 'dev-jwt-secret');

export class JwtSecret {
  constructor(readonly value: string) {}
}

export function resolveJwtSecret(
  configured: string | undefined,
  file = DEV_SECRET_FILE,
): { secret: string; generated: boolean } {
  if (configured) return { secret: configured, generated: false };
  if (existsSync(file)) return { secret: readFileSync(file, 'utf8').trim(), generated: false };
  const secret = randomBytes(48).toString('base64url');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return { secret, generated: true };
}
