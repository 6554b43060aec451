/**
 * A Redis PING on its own short-lived connection (RESP over TCP/TLS), for the readiness check: the
 * query cache never fails a query when Redis is down, so its client cannot tell us it is.
 */
import { connect as tcp, type Socket } from 'node:net';
import { connect as tls } from 'node:tls';

function command(...parts: string[]): string {
  return `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;
}

export function redisPing(url: string, timeoutMs: number): Promise<void> {
  const u = new URL(url);
  const port = Number(u.port || 6379);
  const host = u.hostname;
  const password = decodeURIComponent(u.password);
  const user = decodeURIComponent(u.username);
  return new Promise<void>((resolve, reject) => {
    const socket: Socket =
      u.protocol === 'rediss:' ? tls({ host, port, servername: host }) : tcp({ host, port });
    let buffer = '';
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', (e) => finish(e));
    socket.once(u.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => {
      const auth = password ? (user ? command('AUTH', user, password) : command('AUTH', password)) : '';
      socket.write(auth + command('PING'));
    });
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      if (buffer.startsWith('-')) return finish(new Error(buffer.trim()));
      if (buffer.includes('+PONG')) finish();
    });
  });
}
