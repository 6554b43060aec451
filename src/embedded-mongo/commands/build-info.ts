import { Int32 } from 'bson';
import type { CommandSpec } from './types.js';

/** The MongoDB version whose behaviour the embedded server follows. */
export const SERVER_VERSION = '8.0.4';

export const buildInfoCommand: CommandSpec = {
  name: 'buildInfo',
  aliases: ['buildinfo'],
  help: 'Version of the server (the MongoDB version it is compatible with).',
  run: () => ({
    version: SERVER_VERSION,
    gitVersion: 'embedded-mongo',
    versionArray: SERVER_VERSION.split('.')
      .map((p) => new Int32(Number(p)))
      .concat([new Int32(0)]),
    bits: 64,
    debug: false,
    maxBsonObjectSize: 16 * 1024 * 1024,
    storageEngines: ['embedded'],
    javascriptEngine: 'none',
    modules: [],
    openssl: { running: 'disabled', compiled: 'disabled' },
    buildEnvironment: { distmod: 'embedded', target_os: process.platform, target_arch: process.arch },
    allocator: 'system',
    sysInfo: 'deprecated',
  }),
};
