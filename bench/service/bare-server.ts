/**
 * Baseline (a), run as a child process: a bare node:http server that answers every request with
 * one fixed JSON body (a real order answer of the service, read from BENCH_BODY_FILE). Driven like
 * the service, it is this machine's HTTP ceiling for a body of that size.
 *
 *   PORT=... BENCH_BODY_FILE=... node dist/bench/service/bare-server.js
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const port = Number(process.env.PORT);
const file = process.env.BENCH_BODY_FILE;
if (!Number.isInteger(port) || port <= 0 || !file) {
  process.stderr.write('bare-server: PORT and BENCH_BODY_FILE are required\n');
  process.exit(2);
}
const body = readFileSync(file);
const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) };

createServer((req, res) => {
  req.resume();
  res.writeHead(200, headers);
  res.end(body);
}).listen(port, '127.0.0.1', () => process.stdout.write(`bare-server listening on ${port}\n`));
