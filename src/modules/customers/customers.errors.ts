/**
 * Error codes of the customers context. Each helper builds the AppError the exception filter
 * renders as `{ statusCode, code, message, details? }`.
 */
import { AppError, badRequest, conflict, notFound } from '../../shared/errors/app-error.js';

export const CustomerErrorCode = {
  NOT_FOUND: 'CUSTOMERS.NOT_FOUND',
  ALREADY_EXISTS: 'CUSTOMERS.ALREADY_EXISTS',
  EMAIL_TAKEN: 'CUSTOMERS.EMAIL_TAKEN',
  VERSION_CONFLICT: 'CUSTOMERS.VERSION_CONFLICT',
  SUSPENDED: 'CUSTOMERS.SUSPENDED',
  ALREADY_SUSPENDED: 'CUSTOMERS.ALREADY_SUSPENDED',
  NOT_SUSPENDED: 'CUSTOMERS.NOT_SUSPENDED',
  ADDRESS_NOT_FOUND: 'CUSTOMERS.ADDRESS_NOT_FOUND',
  ADDRESS_NOT_OWNED: 'CUSTOMERS.ADDRESS_NOT_OWNED',
  ADDRESS_LIMIT_REACHED: 'CUSTOMERS.ADDRESS_LIMIT_REACHED',
  ADDRESS_ALREADY_EXISTS: 'CUSTOMERS.ADDRESS_ALREADY_EXISTS',
  INVALID_FIELD: 'CUSTOMERS.INVALID_FIELD',
} as const;
export type CustomerErrorCode = (typeof CustomerErrorCode)[keyof typeof CustomerErrorCode];

export const customerNotFound = (customerId: string): AppError =>
  notFound(CustomerErrorCode.NOT_FOUND, `Customer ${customerId} not found`);

export const customerAlreadyExists = (customerId: string): AppError =>
  conflict(CustomerErrorCode.ALREADY_EXISTS, `Customer ${customerId} already exists`, { customerId });

export const emailTaken = (email: string): AppError =>
  conflict(CustomerErrorCode.EMAIL_TAKEN, `Email ${email} is already used by another customer`, { email });

export const versionConflict = (
  customerId: string,
  expectedVersion: number,
  currentVersion: number,
): AppError =>
  conflict(
    CustomerErrorCode.VERSION_CONFLICT,
    `Customer ${customerId} is at version ${currentVersion}, not ${expectedVersion}`,
    { customerId, expectedVersion, currentVersion },
  );

export const customerSuspended = (customerId: string): AppError =>
  conflict(CustomerErrorCode.SUSPENDED, `Customer ${customerId} is suspended`, { customerId });

export const alreadySuspended = (customerId: string): AppError =>
  conflict(CustomerErrorCode.ALREADY_SUSPENDED, `Customer ${customerId} is already suspended`, {
    customerId,
  });

export const notSuspended = (customerId: string): AppError =>
  conflict(CustomerErrorCode.NOT_SUSPENDED, `Customer ${customerId} is not suspended`, { customerId });

export const addressNotFound = (customerId: string, addressId: string): AppError =>
  notFound(CustomerErrorCode.ADDRESS_NOT_FOUND, `Customer ${customerId} has no address ${addressId}`);

/**
 * 403 for an address id that is not one of the customer's current addresses. Deliberately the same
 * answer whether the address does not exist, was removed, or belongs to someone else, so it cannot
 * be used to probe other customers' address ids.
 */
export const addressNotOwned = (customerId: string, addressId: string, field: string): AppError =>
  new AppError(
    CustomerErrorCode.ADDRESS_NOT_OWNED,
    403,
    `Address ${addressId} is not an address of customer ${customerId}`,
    { field, addressId },
  );

export const addressLimitReached = (customerId: string, limit: number): AppError =>
  conflict(CustomerErrorCode.ADDRESS_LIMIT_REACHED, `Customer ${customerId} already has ${limit} addresses`, {
    customerId,
    limit,
  });

export const addressAlreadyExists = (addressId: string): AppError =>
  conflict(CustomerErrorCode.ADDRESS_ALREADY_EXISTS, `Address ${addressId} already exists`, { addressId });

/**
 * A field the aggregate refuses (blank after trimming, ...). The HTTP DTOs reject these first
 * (400 REQUEST.VALIDATION_FAILED); this guards commands sent on the CommandBus directly (seed).
 */
export const invalidField = (field: string, message: string): AppError =>
  badRequest(CustomerErrorCode.INVALID_FIELD, `${field}: ${message}`, [{ field, errors: [message] }]);

/** The global ValidationPipe's 400 shape, for request rules a single field decorator cannot express. */
export const requestInvalid = (field: string, error: string): AppError =>
  new AppError('REQUEST.VALIDATION_FAILED', 400, `Validation failed for ${field}`, [
    { field, errors: [error] },
  ]);
