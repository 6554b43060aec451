/**
 * Error codes of the orders context. Each helper builds the AppError the exception filter renders
 * as `{ statusCode, code, message, details? }`. Out-of-stock and unknown/discontinued products are
 * reported with the catalog's codes (CATALOG.OUT_OF_STOCK, ...), customer and address problems
 * with the customers' codes: the context that knows the rule names the error.
 */
import { AppError, badRequest, conflict, notFound } from '../../shared/errors/app-error.js';

export const OrderErrorCode = {
  NOT_FOUND: 'ORDERS.NOT_FOUND',
  ALREADY_EXISTS: 'ORDERS.ALREADY_EXISTS',
  VERSION_CONFLICT: 'ORDERS.VERSION_CONFLICT',
  INVALID_TRANSITION: 'ORDERS.INVALID_TRANSITION',
  INVALID_ORDER: 'ORDERS.INVALID_ORDER',
} as const;
export type OrderErrorCode = (typeof OrderErrorCode)[keyof typeof OrderErrorCode];

/** Also the answer for another customer's order, so order ids cannot be probed. */
export const orderNotFound = (orderId: string): AppError =>
  notFound(OrderErrorCode.NOT_FOUND, `Order ${orderId} not found`);

export const orderAlreadyExists = (orderId: string): AppError =>
  conflict(OrderErrorCode.ALREADY_EXISTS, `Order ${orderId} already exists`, { orderId });

export const orderVersionConflict = (
  orderId: string,
  expectedVersion: number,
  currentVersion: number,
): AppError =>
  conflict(
    OrderErrorCode.VERSION_CONFLICT,
    `Order ${orderId} is at version ${currentVersion}, not ${expectedVersion}`,
    { orderId, expectedVersion, currentVersion },
  );

export const invalidTransition = (
  orderId: string,
  from: string,
  to: string,
  allowed: readonly string[],
): AppError =>
  conflict(
    OrderErrorCode.INVALID_TRANSITION,
    `Order ${orderId} cannot go from ${from} to ${to}` +
      (allowed.length > 0 ? ` (allowed: ${allowed.join(', ')})` : ` (${from} is final)`),
    { orderId, from, to, allowed: [...allowed] },
  );

/** A rule the request DTO already checks, enforced again by the aggregate (commands from the seed or other code). */
export const invalidOrder = (message: string, details?: Record<string, unknown>): AppError =>
  badRequest(OrderErrorCode.INVALID_ORDER, message, details);
