import type { CommandSpec } from './types.js';

export const whatsmyuriCommand: CommandSpec = {
  name: 'whatsmyuri',
  help: "The client's address as the server sees it.",
  run: (ctx) => ({ you: ctx.connection.remote }),
};
