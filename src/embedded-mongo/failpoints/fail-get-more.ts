/**
 * mongod's `failGetMoreAfterCursorCheckout`: a getMore whose cursor exists fails once the cursor
 * is checked out (data: `errorCode`, or `closeConnection: true`), and the cursor is gone. A
 * getMore on an unknown cursor is left to report CursorNotFound itself.
 */
import type { Long } from '../bson.js';
import type { CursorManager } from '../cursors/cursor-manager.js';
import { ErrorCodes } from '../errors.js';
import { numberValueOf } from '../values/types.js';
import { CloseConnectionRequest } from '../wire/close-request.js';
import { FailPointError } from './fail-command.js';
import type { FailPoint } from './fail-point.js';

export async function failGetMoreAfterCheckout(
  fp: FailPoint,
  cursors: CursorManager,
  id: Long,
): Promise<void> {
  if (!fp.isActive) return;
  const data = fp.evaluate();
  if (!data) return;
  const { killed } = await cursors.kill([id]);
  if (killed.length === 0) return;
  if (data.closeConnection === true) throw new CloseConnectionRequest('failGetMoreAfterCursorCheckout');
  const code = numberValueOf(data.errorCode) ?? ErrorCodes.InternalError;
  throw new FailPointError(code, "Failing getMore via 'failGetMoreAfterCursorCheckout' failpoint", undefined);
}
