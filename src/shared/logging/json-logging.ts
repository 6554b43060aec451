/**
 * Structured logs: one JSON line per log call (`level`, `time`, `context`, `msg`, plus `reqId`
 * inside a request) through nestjs-pino, and one line per HTTP request (`reqId`, `method`, `url`,
 * `statusCode`, `responseTime`) through pino-http.
 *
 * - `logger` is nestjs-pino's LoggerService: `app.useLogger(logger)` routes every
 *   `new Logger(ctx)` of @nestjs/common through pino.
 * - `requestLogging` is plain express middleware, mounted by bootstrap.ts before the body parser,
 *   the API docs and the routes, so every request gets its line (a 413 from the body parser too).
 *   It runs the rest of the request in nestjs-pino's logging context bound to the request id, so
 *   every log made while serving the request (handlers, the fast-path projections of its events)
 *   carries `reqId` — the correlation id of the events it appends.
 * - Redaction: see log-redaction.ts. Request lines carry no headers at all.
 *
 * nestjs-pino keeps one root logger per process (the first one built wins): a process runs one
 * application with JSON logs.
 */
import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger as NestPinoLogger, PinoLogger, type Params } from 'nestjs-pino';
import { pino, stdTimeFunctions, type DestinationStream, type Logger as Pino } from 'pino';
import { pinoHttp } from 'pino-http';
import type { AppConfig } from '../../config/env.js';
import { correlationIdOf } from '../http/correlation-id.js';
import { lineScrubber, redactObject, safeUrl } from './log-redaction.js';

export interface JsonLogging {
  /** The root pino logger (writes to the destination). */
  root: Pino;
  /** For `app.useLogger()` / `Logger.overrideLogger()`. */
  logger: LoggerService;
  /** Express middleware: the request line and the request's logging context. */
  requestLogging: RequestHandler;
}

export interface JsonLoggingOptions {
  /** Where the lines go (process stdout, or a stream a test reads). */
  destination: DestinationStream;
  /** Values that must never appear in a line (the JWT secret). */
  secrets: readonly string[];
}

/** The root logger: level from LOG_LEVEL, ISO time, level as a label, redaction on every line. */
export function createRootLogger(config: Pick<AppConfig, 'logLevel'>, options: JsonLoggingOptions): Pino {
  const scrub = lineScrubber(options.secrets);
  return pino(
    {
      level: config.logLevel,
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: (obj) => redactObject(obj) },
      hooks: { streamWrite: scrub },
    },
    options.destination,
  );
}

interface RequestLine {
  method: string;
  url: string;
  statusCode: number;
  responseTime: number;
}

function requestLine(req: IncomingMessage, res: ServerResponse, responseTime: unknown): RequestLine {
  const original = (req as Partial<Request>).originalUrl ?? req.url ?? '';
  return {
    method: req.method ?? '',
    url: safeUrl(original),
    statusCode: res.statusCode,
    responseTime: typeof responseTime === 'number' ? responseTime : 0,
  };
}

export function createJsonLogging(
  config: Pick<AppConfig, 'logLevel'>,
  options: JsonLoggingOptions,
): JsonLogging {
  const root = createRootLogger(config, options);
  const params: Params = { pinoHttp: { logger: root }, renameContext: 'context' };
  const pinoLogger = new PinoLogger(params);
  const logger = new NestPinoLogger(pinoLogger, params);
  const http = pinoHttp({
    logger: root,
    // The request id is assigned (and echoed) by the request-id middleware that runs first.
    genReqId: (req) => correlationIdOf(req),
    quietReqLogger: true,
    quietResLogger: true,
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessObject: (req, res, val: { responseTime?: unknown }) =>
      requestLine(req, res, val.responseTime),
    customErrorObject: (req, res, _err, val: { responseTime?: unknown }) =>
      requestLine(req, res, val.responseTime),
    customSuccessMessage: (req, res) => (res.writableEnded ? 'request completed' : 'request aborted'),
    customErrorMessage: () => 'request failed',
  });
  const requestLogging: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    http(req, res, () => pinoLogger.runInContext(next, { bindings: { reqId: correlationIdOf(req) } }));
  };
  return { root, logger, requestLogging };
}
