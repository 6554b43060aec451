/** Where things are: the repository root (from bench/ or dist/bench/) and the compiled entry points. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the benchmark');
    dir = parent;
  }
  return dir;
}

/** A compiled file under dist/ (e.g. `src/main.js`); throws with a hint when it is missing. */
export function distEntry(relative: string): string {
  const file = path.join(repoRoot(), 'dist', relative);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  return file;
}
