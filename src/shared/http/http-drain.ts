/**
 * The HTTP side of a shutdown: stop taking connections, let the requests in flight finish, close
 * the rest.
 *
 * - `stopAccepting()`: the listening socket closes (new connections are refused, so a load
 *   balancer or client moves on at once), idle keep-alive connections are closed, and every
 *   response not started yet, and every request that still arrives on an open connection, is
 *   answered with `Connection: close`, so its connection ends with it.
 * - `drained(ms)`: resolves true once no request is in flight, false if some still are after `ms`.
 * - `closeAll()`: destroys every connection left (requests still running lose their answer; a
 *   command retried with its Idempotency-Key gets its outcome).
 *
 * Requests are counted from the server's `request` event to their response's `close` (sent, or
 * the connection gone), whatever answers them (the fast lane or the application).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export class HttpDrain {
  private readonly inFlight = new Set<ServerResponse>();
  private closing = false;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly server: Server) {
    server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
      if (this.closing) res.setHeader('Connection', 'close');
      this.inFlight.add(res);
      res.once('close', () => {
        this.inFlight.delete(res);
        if (this.inFlight.size === 0) for (const wake of [...this.waiters]) wake();
      });
    });
  }

  /** Requests received and not answered yet. */
  get pending(): number {
    return this.inFlight.size;
  }

  stopAccepting(): void {
    if (this.closing) return;
    this.closing = true;
    if (this.server.listening) this.server.close();
    this.server.closeIdleConnections();
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
  }

  drained(timeoutMs: number): Promise<boolean> {
    if (this.inFlight.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (result: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(result);
      };
      const wake = (): void => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(wake);
    });
  }

  closeAll(): void {
    this.server.closeAllConnections();
  }
}
