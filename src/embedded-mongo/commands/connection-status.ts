import type { CommandSpec } from './types.js';

export const connectionStatusCommand: CommandSpec = {
  name: 'connectionStatus',
  help: 'Authentication state of this connection (the embedded server has no auth).',
  run: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] } }),
};
