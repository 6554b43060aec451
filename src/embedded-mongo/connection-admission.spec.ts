/**
 * The connection limit's bookkeeping: refusals counted, one warning per burst plus one summary
 * line when the burst is over, and `available` as maxIncomingConnections - current.
 */
import { jest } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type { Server } from 'node:net';
import { ConnectionAdmission } from './connection-admission.js';
import type { Logger } from './logger.js';

interface Line {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

function recordingLogger(lines: Line[]): Logger {
  const at =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, msg, fields });
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('connection admission', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sets the TCP server limit, counts refusals and logs each burst once', () => {
    const lines: Line[] = [];
    let current = 5;
    const admission = new ConnectionAdmission(5, recordingLogger(lines), () => current, 1000);
    const server = new EventEmitter() as EventEmitter & { maxConnections?: number };
    admission.attach(server as unknown as Server);
    expect(server.maxConnections).toBe(5);
    expect(admission.available()).toBe(0);

    for (let i = 0; i < 500; i++) {
      server.emit('drop', { remoteAddress: '127.0.0.1', remotePort: 40000 + i });
      jest.advanceTimersByTime(1);
    }
    expect(admission.rejected).toBe(500);
    expect(lines.map((l) => l.msg)).toEqual(['connection refused because too many open connections']);

    jest.advanceTimersByTime(1000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ level: 'warn', fields: { refused: 500, maxIncomingConnections: 5 } });

    // A second burst is logged again, and stop() flushes its summary.
    server.emit('drop');
    admission.stop();
    expect(lines.map((l) => l.fields?.refused)).toEqual([undefined, 500, undefined, 1]);
    expect(admission.rejected).toBe(501);

    current = 2;
    expect(admission.available()).toBe(3);
  });
});
