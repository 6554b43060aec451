/**
 * The request line: one JSON line per HTTP request, written when the response is finished or the
 * connection closes before it is (`reqId`, `method`, `url`, `statusCode`, `responseTime` in ms;
 * msg `request completed`, `request aborted`; level `error` for a 5xx, else `info`). No headers.
 *
 * It replaces pino-http, which built a child logger, serializers and four listeners per request
 * even when the level discarded the line. Here a request costs one `close` listener, and nothing at
 * all when `info` is disabled (LOG_LEVEL=warn and above): the level is read per request, so a
 * level changed at run time applies at once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger as Pino } from 'pino';
import { correlationIdOf } from '../http/correlation-id.js';
import { safeUrl } from './log-redaction.js';

export interface RequestLineFields {
  reqId: string;
  method: string;
  url: string;
  statusCode: number;
  responseTime: number;
}

/** What the line needs of a request: Express keeps the mounted path's full URL in `originalUrl`. */
type LoggedRequest = IncomingMessage & { originalUrl?: string; id?: unknown };

/**
 * Arranges the request line of `req` (no-op when `info` is off). Call it once, as early as
 * possible: `responseTime` counts from this call.
 */
export function logRequestLine(root: Pino, req: LoggedRequest, res: ServerResponse): void {
  if (!root.isLevelEnabled('info')) return;
  const start = Date.now();
  res.once('close', () => {
    const fields: RequestLineFields = {
      reqId: correlationIdOf(req),
      method: req.method ?? '',
      url: safeUrl(req.originalUrl ?? req.url ?? ''),
      statusCode: res.statusCode,
      responseTime: Date.now() - start,
    };
    if (res.statusCode >= 500) root.error(fields, 'request failed');
    else root.info(fields, res.writableFinished ? 'request completed' : 'request aborted');
  });
}
