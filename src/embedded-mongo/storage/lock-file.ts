/**
 * The data directory's lock (`mongod.lock`, holding the owner's pid). Two live servers on one
 * directory would interleave journals and corrupt it, so a second open fails with a clear error;
 * a lock left by a process that no longer exists (crash, SIGKILL) is taken over.
 */
import { openSync, closeSync, readFileSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'mongod.lock';

/** Directories locked by this process (a pid check cannot tell two opens in one process apart). */
const lockedHere = new Set<string>();

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dbPath: string,
    readonly pid: number,
  ) {
    super(
      `data directory ${dbPath} is in use by another server (pid ${pid}); stop it or choose another dbPath`,
    );
    this.name = 'DataDirLockedError';
  }
}

export class LockFile {
  private released = false;

  private constructor(readonly file: string) {}

  /** Takes the lock or throws DataDirLockedError. */
  static acquire(dbPath: string): LockFile {
    const dir = path.resolve(dbPath);
    const file = path.join(dir, LOCK_FILE);
    if (lockedHere.has(dir)) throw new DataDirLockedError(dir, process.pid);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o644);
        try {
          writeSync(fd, `${process.pid}\n`);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        lockedHere.add(dir);
        return new LockFile(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      let owner = Number.NaN;
      try {
        owner = Number.parseInt(readFileSync(file, 'latin1').trim(), 10);
      } catch {
        // Vanished or unreadable: treat as stale.
      }
      if (owner !== process.pid && processAlive(owner)) throw new DataDirLockedError(dir, owner);
      // Stale (dead owner, our own pid recycled, or garbage): remove and retry the exclusive create,
      // so that of two processes racing for a stale lock only one wins.
      try {
        unlinkSync(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    throw new Error(`could not take the lock ${file}`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    lockedHere.delete(path.dirname(this.file));
    try {
      unlinkSync(this.file);
    } catch {
      // Already gone: nothing to release.
    }
  }
}
