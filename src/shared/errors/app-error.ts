/**
 * Errors carry a stable code ('ORDERS.VERSION_CONFLICT') and the HTTP status they map to; the one
 * exception filter (http-exception.filter.ts) renders every error as
 * `{ statusCode, code, message, details? }`.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown> | unknown[],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, details?: AppError['details']) =>
  new AppError(code, 400, message, details);
export const unauthorized = (message = 'Authentication required') =>
  new AppError('AUTH.UNAUTHORIZED', 401, message);
export const forbidden = (message = 'Not allowed') => new AppError('AUTH.FORBIDDEN', 403, message);
export const notFound = (code: string, message: string) => new AppError(code, 404, message);
export const conflict = (code: string, message: string, details?: AppError['details']) =>
  new AppError(code, 409, message, details);
export const unprocessable = (code: string, message: string, details?: AppError['details']) =>
  new AppError(code, 422, message, details);
