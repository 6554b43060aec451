/**
 * mongod's `failCommand` fail point, evaluated for each command before it runs (before the session
 * is checked out, so a failed first command of a transaction does not start it):
 *
 *   data: { failCommands: [names] | failAllCommands: true, appName?, namespace?,
 *           blockConnection?: true, blockTimeMS?, closeConnection?: true, errorCode?,
 *           errorLabels?: [...], writeConcernError?: {...} }
 *
 * It activates only when it would do something (block, close or fail); then it sleeps
 * `blockTimeMS`, closes the connection without a reply, or fails with `errorCode`. `errorLabels`
 * replaces the labels the server would compute for the error. `writeConcernError` is evaluated
 * separately, after a command that takes a write concern ran, and is attached to its reply.
 * configureFailPoint itself is never affected.
 */
import type { Document } from '../bson.js';
import { MongoCommandError, mongoError } from '../errors.js';
import { numberValueOf } from '../values/types.js';
import { CloseConnectionRequest } from '../wire/close-request.js';
import type { FailPoint } from './fail-point.js';

/** What a command looks like to the fail point's filters. */
export interface CommandTarget {
  /** Canonical command name. */
  readonly name: string;
  readonly aliases: readonly string[];
  /** `<db>.<collection>` for collection commands, `<db>.$cmd` otherwise. */
  readonly ns: string;
  /** `client.application.name` from the connection's handshake. */
  readonly appName: string | undefined;
}

/** An error imposed by a fail point: carries the labels to report instead of computed ones. */
export class FailPointError extends MongoCommandError {
  constructor(
    code: number,
    message: string,
    /** From the fail point's `errorLabels` (undefined = let the server compute them). */
    readonly labelsOverride: string[] | undefined,
  ) {
    super(code, message, {}, labelsOverride ?? []);
    this.name = 'FailPointError';
  }
}

const FAIL_MESSAGE = "Failing command via 'failCommand' failpoint";

function labelsOf(data: Document): string[] | undefined {
  const labels = data.errorLabels;
  return Array.isArray(labels) ? labels.filter((l): l is string => typeof l === 'string') : undefined;
}

function targets(data: Document, cmd: CommandTarget): boolean {
  if (cmd.name === 'configureFailPoint') return false;
  if (data.appName !== undefined && data.appName !== cmd.appName) return false;
  if (data.namespace !== undefined && data.namespace !== cmd.ns) return false;
  if (data.failAllCommands === true) return true;
  const names = data.failCommands;
  if (!Array.isArray(names)) return false;
  return names.some((n) => n === cmd.name || cmd.aliases.includes(n as string));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Applies failCommand to a command about to run: may sleep, close the connection
 * (CloseConnectionRequest) or throw a FailPointError. Returns the label override that applies to
 * whatever error the command itself then reports (when the point only blocked).
 */
export async function failCommandBefore(fp: FailPoint, cmd: CommandTarget): Promise<string[] | undefined> {
  if (!fp.isActive) return undefined;
  const data = fp.evaluate(
    (d) =>
      targets(d, cmd) &&
      (d.closeConnection === true || d.blockConnection === true || numberValueOf(d.errorCode) !== undefined),
  );
  if (!data) return undefined;
  const override = labelsOf(data);
  if (data.blockConnection === true) {
    const ms = numberValueOf(data.blockTimeMS);
    if (ms === undefined)
      throw mongoError('InvalidOptions', "must specify 'blockTimeMS' when 'blockConnection' is true");
    if (ms < 0) throw mongoError('InvalidOptions', "'blockTimeMS' must be non-negative");
    await sleep(ms);
  }
  if (data.closeConnection === true) throw new CloseConnectionRequest(`${FAIL_MESSAGE}: closing connection`);
  const code = numberValueOf(data.errorCode);
  if (code !== undefined) throw new FailPointError(code, FAIL_MESSAGE, override);
  return override;
}

/** The writeConcernError failCommand attaches to this command's reply, if it fires. */
export function failCommandWriteConcernError(
  fp: FailPoint,
  cmd: CommandTarget,
): { writeConcernError: Document; labelsOverride: string[] | undefined } | undefined {
  if (!fp.isActive) return undefined;
  const data = fp.evaluate((d) => targets(d, cmd) && d.writeConcernError !== undefined);
  if (!data) return undefined;
  return { writeConcernError: data.writeConcernError as Document, labelsOverride: labelsOf(data) };
}
