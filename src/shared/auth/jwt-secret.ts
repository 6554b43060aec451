/**
 * Where the HS256 secret comes from (hs256 mode only): JWT_SECRET, or, outside production only, a
 * random secret generated once and kept in `.data/dev-jwt-secret` (git-ignored) so that
 * `npm run token` and the running service agree. With JWT_JWKS_URL or JWT_PUBLIC_KEY there is no
 * secret. Production refuses to start without a key source (see config/env.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../../config/env.js';

export const DEV_SECRET_FILE = path.join('.data', 'dev-jwt-secret');

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

/** The HS256 secret in hs256 mode; undefined (nothing generated) in jwks and public-key modes. */
export function resolveHs256Secret(config: AppConfig): { secret?: string; generated: boolean } {
  return config.jwtMode === 'hs256' ? resolveJwtSecret(config.jwtSecret) : { generated: false };
}
