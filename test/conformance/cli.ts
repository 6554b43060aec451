/**
 * Command-line flags of the conformance runner (see USAGE).
 */
import { parseArgs } from 'node:util';

import { DEFAULT_SUITES, DEFAULT_TEST_TIMEOUT_MS } from './suites.js';

export interface CliOptions {
  readonly suites: readonly string[];
  readonly fileFilter?: string;
  readonly testFilter?: string;
  readonly jsonPath?: string;
  readonly verbose: boolean;
  readonly uri?: string;
  readonly timeoutMs: number;
  readonly ignoreSkipList: boolean;
  readonly help: boolean;
}

export const USAGE = `usage: npm run test:conformance -- [options]
  --suite NAME      run this suite (repeatable; default: ${DEFAULT_SUITES.join(', ')})
  --file SUBSTRING  only test files whose name contains SUBSTRING
  --test SUBSTRING  only tests whose description contains SUBSTRING (case-insensitive)
  --json FILE       write a machine-readable summary to FILE
  --verbose         print failure details
  --uri URI         run against this server instead of starting the embedded one
  --timeout MS      time budget per test (default ${DEFAULT_TEST_TIMEOUT_MS})
  --no-skip-list    also run the tests the skip list skips (to see which entries are still needed)
  --help            this text
spec files: $MONGO_SPECS_DIR, else ../shared/mongo-specs beside the repository`;

export class CliError extends Error {
  override readonly name = 'CliError';
}

export function parseCli(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        suite: { type: 'string', multiple: true },
        file: { type: 'string' },
        test: { type: 'string' },
        json: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        uri: { type: 'string' },
        timeout: { type: 'string' },
        'no-skip-list': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const { values } = parsed;
  const timeoutMs = values.timeout === undefined ? DEFAULT_TEST_TIMEOUT_MS : Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw new CliError(`--timeout must be a positive integer, got ${values.timeout}`);
  return {
    suites:
      values.suite !== undefined && values.suite.length > 0 ? [...new Set(values.suite)] : DEFAULT_SUITES,
    fileFilter: values.file,
    testFilter: values.test,
    jsonPath: values.json,
    verbose: values.verbose ?? false,
    uri: values.uri,
    timeoutMs,
    ignoreSkipList: values['no-skip-list'] ?? false,
    help: values.help ?? false,
  };
}
