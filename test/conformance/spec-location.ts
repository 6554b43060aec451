/**
 * Finds MongoDB's spec test files, which live OUTSIDE the repository (their licence forbids
 * copying them in): `$MONGO_SPECS_DIR` when set, else `../shared/mongo-specs` beside the checkout.
 * The checkout root is found by walking up to the nearest package.json, both from this file (works
 * for `dist/test/conformance/run.js` and for ts sources under jest) and from the working directory.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type SpecLocation = { found: true; dir: string } | { found: false; reason: string };

export const SPECS_ENV_VAR = 'MONGO_SPECS_DIR';

function isSpecsDir(dir: string): boolean {
  const unified = join(dir, 'unified');
  return existsSync(unified) && statSync(unified).isDirectory();
}

export function findPackageRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function locateSpecs(
  env: Readonly<Record<string, string | undefined>> = process.env,
  fromDir: string = dirname(fileURLToPath(import.meta.url)),
  cwd: string = process.cwd(),
): SpecLocation {
  const fromEnv = env[SPECS_ENV_VAR];
  if (fromEnv !== undefined && fromEnv !== '') {
    const dir = resolve(cwd, fromEnv);
    return isSpecsDir(dir)
      ? { found: true, dir }
      : { found: false, reason: `${SPECS_ENV_VAR}=${fromEnv} has no unified/ folder` };
  }
  const roots = [findPackageRoot(fromDir), findPackageRoot(cwd)].filter((r): r is string => r !== undefined);
  const candidates = [...new Set(roots.map((root) => resolve(root, '..', 'shared', 'mongo-specs')))];
  for (const dir of candidates) {
    if (isSpecsDir(dir)) return { found: true, dir };
  }
  const looked =
    candidates.length > 0 ? candidates.join(', ') : '../shared/mongo-specs (no package root found)';
  return { found: false, reason: `${SPECS_ENV_VAR} is not set and ${looked} does not exist` };
}
