/**
 * A minimal HTTP/1.1 client over a raw TCP socket, so the fuzzer can send what well-behaved clients
 * refuse to: non-latin1 header bytes, unencoded paths, repeated headers and a Content-Length that
 * lies. One connection per request (`Connection: close`); the answer is read until the server
 * closes the socket, or the client gives up after `timeoutMs` (status 0 = no answer).
 */
import { connect } from 'node:net';

export interface RawRequest {
  method: string;
  /** Path and query string exactly as sent on the request line. */
  target: string;
  /** Header lines in order; the same name may repeat. Values are sent as UTF-8 bytes. */
  headers: [string, string][];
  body?: Buffer;
  /** Content-Length to declare instead of the body's byte length (a lie). */
  contentLengthOverride?: number;
}

export interface RawResponse {
  /** 0 when no answer came before the timeout or the connection closed without a status line. */
  status: number;
  headers: Record<string, string>;
  body: string;
}

function decodeChunked(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export function parseResponse(data: Buffer): RawResponse {
  const headEnd = data.indexOf('\r\n\r\n');
  const head = (headEnd < 0 ? data : data.subarray(0, headEnd)).toString('latin1');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) return { status: 0, headers: {}, body: '' };
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const raw = headEnd < 0 ? Buffer.alloc(0) : data.subarray(headEnd + 4);
  const body = headers['transfer-encoding']?.includes('chunked') ? decodeChunked(raw) : raw;
  return { status: Number(match[1]), headers, body: body.toString('utf8') };
}

export function sendRaw(port: number, req: RawRequest, timeoutMs: number): Promise<RawResponse> {
  const body = req.body ?? Buffer.alloc(0);
  const lines = [`${req.method} ${req.target} HTTP/1.1`, 'Host: localhost', 'Connection: close'];
  for (const [name, value] of req.headers) lines.push(`${name}: ${value}`);
  if (req.body !== undefined || req.contentLengthOverride !== undefined)
    lines.push(`Content-Length: ${req.contentLengthOverride ?? body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ port, host: '127.0.0.1' });
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseResponse(Buffer.concat(chunks)));
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', finish);
    socket.on('close', finish);
    // The server may answer (413, 400) and close before the whole body is written: not an error.
    socket.on('error', finish);
    socket.write(Buffer.concat([head, body]));
  });
}
