import { mongoError } from '../errors.js';
import { parseFailPointMode } from '../failpoints/fail-point.js';
import { optionalDocument } from './args.js';
import type { CommandSpec } from './types.js';

export const configureFailPointCommand: CommandSpec = {
  name: 'configureFailPoint',
  adminOnly: true,
  testOnly: true,
  help: 'Test only: sets a fail point (failCommand, failGetMoreAfterCursorCheckout, onPrimaryTransactionalWrite).',
  run(ctx) {
    const name = ctx.arg;
    if (typeof name !== 'string')
      throw mongoError('TypeMismatch', "BSON field 'configureFailPoint' must be the fail point's name");
    const fp = ctx.server.failPoints.get(name);
    if (!fp) throw mongoError('FailPointSetFailed', `${name} not found`);
    if (ctx.body.mode === undefined)
      throw mongoError('IllegalOperation', "Missing 'mode' for the fail point");
    const mode = parseFailPointMode(ctx.body.mode);
    const data = optionalDocument(ctx.body, 'data') ?? {};
    return { count: fp.configure(mode, data) };
  },
};
