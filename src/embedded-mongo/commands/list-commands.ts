import type { Document } from '../bson.js';
import type { CommandSpec } from './types.js';

/** listCommands reads the registry it is registered in, so it answers with exactly what is served. */
export function makeListCommands(all: () => readonly CommandSpec[]): CommandSpec {
  return {
    name: 'listCommands',
    help: 'Every command this server serves, with a line of help.',
    run() {
      const commands: Document = {};
      for (const c of all())
        commands[c.name] = { help: c.help, adminOnly: c.adminOnly === true, requiresAuth: false };
      return { commands };
    },
  };
}
