/**
 * Atlas Search index commands. A plain mongod answers them with SearchNotEnabled (31082); so does
 * the embedded server, so drivers and tools see the same behaviour as against a self-hosted server.
 */
import { mongoError, type MongoCommandError } from '../errors.js';
import type { CommandSpec } from './types.js';

export function searchNotEnabled(): MongoCommandError {
  return mongoError(
    'SearchNotEnabled',
    'Using Atlas Search Database Commands and the $listSearchIndexes aggregation stage requires additional configuration. ' +
      'Please connect to Atlas or an AtlasCLI local deployment to enable.',
  );
}

function searchCommand(name: string): CommandSpec {
  return {
    name,
    help: 'Atlas Search index management (not available outside Atlas).',
    run() {
      throw searchNotEnabled();
    },
  };
}

export const createSearchIndexesCommand = searchCommand('createSearchIndexes');
export const dropSearchIndexCommand = searchCommand('dropSearchIndex');
export const updateSearchIndexCommand = searchCommand('updateSearchIndex');
