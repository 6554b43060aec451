/**
 * Structured logs: one JSON line per log call (`level`, `time`, `context`, `msg`, plus `reqId`
 * inside a request) through nestjs-pino, and one line per HTTP request (request-line.ts).
 *
 * - `logger` is nestjs-pino's LoggerService: `app.useLogger(logger)` routes every
 *   `new Logger(ctx)` of @nestjs/common through pino.
 * - `requestLogging` is plain middleware, mounted by bootstrap.ts before the body parser, the API
 *   docs and the routes, so every request gets its line (a 413 from the body parser too). It runs
 *   the rest of the request in nestjs-pino's logging context bound to the request id, so every log
 *   made while serving the request (handlers, the fast-path projections of its events) carries
 *   `reqId`: the correlation id of the events it appends.
 * - Redaction: see log-redaction.ts. Request lines carry no headers at all.
 * - The destination decides the cost of a line: the service passes an asynchronous one (main.ts),
 *   tests pass a stream they read.
 *
 * nestjs-pino keeps one root logger per process (the first one built wins): a process runs one
 * application with JSON logs.
 */
import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Logger as NestPinoLogger, PinoLogger, type Params } from 'nestjs-pino';
import { pino, stdTimeFunctions, type DestinationStream, type Logger as Pino } from 'pino';
import type { AppConfig } from '../../config/env.js';
import { correlationIdOf } from '../http/correlation-id.js';
import { lineScrubber, redactObject } from './log-redaction.js';
import { logRequestLine } from './request-line.js';

export interface JsonLogging {
  /** The root pino logger (writes to the destination). */
  root: Pino;
  /** For `app.useLogger()` / `Logger.overrideLogger()`. */
  logger: LoggerService;
  /** Middleware: the request line and the request's logging context. */
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

export function createJsonLogging(
  config: Pick<AppConfig, 'logLevel'>,
  options: JsonLoggingOptions,
): JsonLogging {
  const root = createRootLogger(config, options);
  const params: Params = { pinoHttp: { logger: root }, renameContext: 'context' };
  const pinoLogger = new PinoLogger(params);
  const logger = new NestPinoLogger(pinoLogger, params);
  const requestLogging: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    logRequestLine(root, req, res);
    pinoLogger.runInContext(next, { bindings: { reqId: correlationIdOf(req) } });
  };
  return { root, logger, requestLogging };
}
