import type { CommandSpec } from './types.js';

export const pingCommand: CommandSpec = {
  name: 'ping',
  help: 'Checks that the server answers.',
  run: () => ({}),
};
