import os from 'node:os';
import type { CommandSpec } from './types.js';

export const hostInfoCommand: CommandSpec = {
  name: 'hostInfo',
  help: 'Machine the server runs on.',
  run: () => ({
    system: {
      currentTime: new Date(),
      hostname: os.hostname(),
      cpuAddrSize: 64,
      memSizeMB: Math.round(os.totalmem() / 1048576),
      numCores: os.cpus().length,
      cpuArch: os.arch(),
    },
    os: { type: os.type(), name: os.platform(), version: os.release() },
    extra: {},
  }),
};
