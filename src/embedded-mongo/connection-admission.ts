/**
 * The connection limit (mongod's net.maxIncomingConnections): once `limit` client connections are
 * open, every new one is closed at once by the TCP server, before any byte is read or any state is
 * allocated for it (Node's `server.maxConnections`, which emits 'drop' for each refused socket).
 *
 * Refusals are counted (serverStatus connections.rejected) and logged once per burst: one warning
 * when the first connection of a burst is refused, and one summary line with the count when no
 * connection was refused for `quietMs`, so a flood of thousands of attempts writes two log lines.
 */
import type { Server } from 'node:net';
import type { Logger } from './logger.js';

/**
 * Default limit. An idle connection costs a few KiB (socket, frame reader, connection state); a
 * busy one may hold up to two maximal messages (2 x 48 MB) while they are read and queued, so the
 * limit is what bounds the server's worst-case buffer memory. 10,000 is far above what the
 * service's driver pools open (100 per client by default), stays below common file-descriptor
 * limits (mongod itself caps the limit at 80% of RLIMIT_NOFILE), and a flood of idle sockets up to
 * it stays around 100 MB.
 */
export const DEFAULT_MAX_INCOMING_CONNECTIONS = 10_000;

/** A burst ends after this long without a refused connection. */
const DEFAULT_QUIET_MS = 2_000;

export class ConnectionAdmission {
  /** Connections refused since startup (serverStatus connections.rejected). */
  rejected = 0;
  private burst = 0;
  private quietTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly limit: number,
    private readonly logger: Logger,
    private readonly currentConnections: () => number,
    private readonly quietMs = DEFAULT_QUIET_MS,
  ) {}

  /** Makes `server` refuse connections over the limit. */
  attach(server: Server): void {
    server.maxConnections = this.limit;
    server.on('drop', (info?: { remoteAddress?: string; remotePort?: number }) => this.onRefused(info));
  }

  /** How many more connections would be accepted now (serverStatus connections.available). */
  available(): number {
    return Math.max(0, this.limit - this.currentConnections());
  }

  stop(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = undefined;
    this.endBurst();
  }

  private onRefused(info?: { remoteAddress?: string; remotePort?: number }): void {
    this.rejected++;
    if (this.burst === 0) {
      this.logger.warn('connection refused because too many open connections', {
        maxIncomingConnections: this.limit,
        current: this.currentConnections(),
        remote: `${info?.remoteAddress ?? '?'}:${info?.remotePort ?? 0}`,
      });
    }
    this.burst++;
    if (this.quietTimer) this.quietTimer.refresh();
    else {
      this.quietTimer = setTimeout(() => {
        this.quietTimer = undefined;
        this.endBurst();
      }, this.quietMs);
      this.quietTimer.unref();
    }
  }

  private endBurst(): void {
    if (this.burst === 0) return;
    this.logger.warn('refused connections over the limit', {
      refused: this.burst,
      maxIncomingConnections: this.limit,
      current: this.currentConnections(),
    });
    this.burst = 0;
  }
}
