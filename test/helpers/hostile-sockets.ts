/**
 * Raw-socket building blocks for hostile-client tests: many TCP connections opened in waves (so
 * the listen backlog is not the thing under test), OP_MSG commands sent without a driver, and
 * polling helpers for serverStatus. Free of jest globals.
 */
import type { Document } from '../../src/embedded-mongo/bson.js';
import { encodeOpMsg, nextRequestId } from '../../src/embedded-mongo/wire/index.js';
import { WireTestClient } from './wire-client.js';

/** One OP_MSG request, as bytes. */
export function opMsg(body: Document): Buffer {
  return Buffer.concat(encodeOpMsg(body, { requestId: nextRequestId() }));
}

/** Opens `count` raw connections, `wave` at a time. */
export async function openRawClients(
  host: string,
  port: number,
  count: number,
  wave = 100,
): Promise<WireTestClient[]> {
  const clients: WireTestClient[] = [];
  for (let i = 0; i < count; i += wave) {
    const n = Math.min(wave, count - i);
    clients.push(...(await Promise.all(Array.from({ length: n }, () => WireTestClient.connect(host, port)))));
  }
  return clients;
}

/** Destroys every client and waits until each socket has closed. */
export async function destroyAll(clients: readonly WireTestClient[]): Promise<void> {
  for (const c of clients) c.destroy();
  await Promise.all(clients.map((c) => c.closed));
}

/**
 * Polls `read` until `done(value)` holds or `timeoutMs` passes; returns the last value read either
 * way (the caller asserts on it, so a failure shows the value, not a timeout).
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    value = await read();
  }
  return value;
}

/** A number from a serverStatus field (Int32, Long, Double or number). */
export function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && 'toNumber' in value) {
    return (value as { toNumber(): number }).toNumber();
  }
  if (typeof value === 'object' && value !== null && 'valueOf' in value) return Number(value.valueOf());
  return Number.NaN;
}
