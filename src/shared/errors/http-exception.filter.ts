import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import { AppError } from './app-error.js';
import { OverloadedError } from '../overload/overload.js';
import { databaseUnavailableError, RETRY_AFTER_SECONDS } from './database-unavailable.js';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: unknown;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'REQUEST.INVALID',
  401: 'AUTH.UNAUTHORIZED',
  403: 'AUTH.FORBIDDEN',
  404: 'REQUEST.NOT_FOUND',
  405: 'REQUEST.METHOD_NOT_ALLOWED',
  409: 'REQUEST.CONFLICT',
  413: 'REQUEST.TOO_LARGE',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  422: 'REQUEST.UNPROCESSABLE',
  429: 'REQUEST.RATE_LIMITED',
  503: 'SERVICE.UNAVAILABLE',
};

/** Errors thrown by body parsing (express/body-parser) carry a status and a type. */
interface ParserError {
  status?: number;
  statusCode?: number;
  type?: string;
  message?: string;
  /** Set by our body-parser hooks (e.g. REQUEST.TOO_DEEP); node's own codes (ECONN...) are not used. */
  code?: unknown;
}

export function toErrorBody(error: unknown): ErrorBody {
  const e = databaseUnavailableError(error) ?? error;
  if (e instanceof AppError) {
    return {
      statusCode: e.status,
      code: e.code,
      message: e.message,
      ...(e.details ? { details: e.details } : {}),
    };
  }
  if (e instanceof HttpException) {
    // Nest maps body-parser errors (http-errors) to an HttpException with the original as cause:
    // answer them with our codes (REQUEST.TOO_LARGE, REQUEST.MALFORMED_JSON, REQUEST.TOO_DEEP).
    const cause = e.cause as ParserError | undefined;
    const parsed = typeof cause?.type === 'string' ? parserErrorBody(cause) : undefined;
    if (parsed) return parsed;
    const status = e.getStatus();
    const res = e.getResponse();
    if (
      typeof res === 'object' &&
      res !== null &&
      'code' in res &&
      typeof (res as ErrorBody).code === 'string'
    ) {
      return { ...(res as ErrorBody), statusCode: status };
    }
    const message =
      typeof res === 'string' ? res : String((res as { message?: unknown }).message ?? e.message);
    return { statusCode: status, code: CODE_BY_STATUS[status] ?? 'REQUEST.ERROR', message };
  }
  return (
    parserErrorBody(e) ?? {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      code: 'INTERNAL',
      message: 'Internal server error',
    }
  );
}

/** The error body for a 4xx error of body parsing, or undefined when `e` is not one. */
function parserErrorBody(e: unknown): ErrorBody | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const p = e as ParserError;
  const status = p.status ?? p.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (p.type === 'entity.too.large')
      return { statusCode: 413, code: 'REQUEST.TOO_LARGE', message: 'Request body is too large' };
    if (p.type === 'entity.parse.failed')
      return { statusCode: 400, code: 'REQUEST.MALFORMED_JSON', message: 'Request body is not valid JSON' };
    if (typeof p.code === 'string' && p.code.startsWith('REQUEST.'))
      return { statusCode: status, code: p.code, message: p.message ?? 'Bad request' };
    return {
      statusCode: status,
      code: CODE_BY_STATUS[status] ?? 'REQUEST.ERROR',
      message: p.message ?? 'Bad request',
    };
  }
  return undefined;
}

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = toErrorBody(exception);
    if (body.statusCode === 503) {
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      // Shed load is answered, not logged line by line (a log line per refusal would add load).
      if (!(exception instanceof OverloadedError))
        this.logger.warn(
          `503 ${body.code}: ${exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception)}`,
        );
    } else if (body.statusCode >= 500) {
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    }
    res.status(body.statusCode).json(body);
  }
}
