/** The storage layer's public surface (for catalog/ and server.ts). */
export * from './engine.js';
export { FileEngine, CHECKPOINT_FILE, type FileEngineOptions } from './file-engine.js';
export { MemoryEngine } from './memory-engine.js';
export { LockFile, DataDirLockedError, LOCK_FILE } from './lock-file.js';
export { openStorage } from './open-storage.js';
