/**
 * Picks the engine for a server: a FileEngine on `dbPath`, or a MemoryEngine without one. The
 * engine is returned unopened; Catalog.open() opens it (recovery needs the catalog's checkpoint
 * source).
 */
import type { Logger } from '../logger.js';
import type { StorageEngine } from './engine.js';
import { FileEngine, type FileEngineOptions } from './file-engine.js';
import { MemoryEngine } from './memory-engine.js';

export async function openStorage(
  dbPath: string | undefined,
  logger?: Logger,
  opts: Omit<FileEngineOptions, 'logger'> = {},
): Promise<StorageEngine> {
  if (dbPath === undefined || dbPath === '') return new MemoryEngine();
  return new FileEngine(dbPath, { ...opts, logger });
}
