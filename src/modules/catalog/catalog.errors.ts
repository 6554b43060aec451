/**
 * Error codes of the catalog context. Each helper builds the AppError the exception filter renders
 * as `{ statusCode, code, message, details? }`.
 */
import { AppError, badRequest, conflict } from '../../shared/errors/app-error.js';

export const CatalogErrorCode = {
  PRODUCT_NOT_FOUND: 'CATALOG.PRODUCT_NOT_FOUND',
  PRODUCT_EXISTS: 'CATALOG.PRODUCT_EXISTS',
  INVALID_PRODUCT_ID: 'CATALOG.INVALID_PRODUCT_ID',
  DUPLICATE_SKU: 'CATALOG.DUPLICATE_SKU',
  VERSION_CONFLICT: 'CATALOG.VERSION_CONFLICT',
  PRODUCT_DISCONTINUED: 'CATALOG.PRODUCT_DISCONTINUED',
  ALREADY_DISCONTINUED: 'CATALOG.ALREADY_DISCONTINUED',
  INSUFFICIENT_STOCK: 'CATALOG.INSUFFICIENT_STOCK',
  OUT_OF_STOCK: 'CATALOG.OUT_OF_STOCK',
  NOT_RESERVED: 'CATALOG.NOT_RESERVED',
  INVALID_QUANTITY: 'CATALOG.INVALID_QUANTITY',
  INVALID_PRICE: 'CATALOG.INVALID_PRICE',
  INVALID_RATING: 'CATALOG.INVALID_RATING',
  UNSUPPORTED_CURRENCY: 'CATALOG.UNSUPPORTED_CURRENCY',
  EMPTY_UPDATE: 'CATALOG.EMPTY_UPDATE',
  NOT_PURCHASED: 'CATALOG.NOT_PURCHASED',
  ALREADY_REVIEWED: 'CATALOG.ALREADY_REVIEWED',
} as const;
export type CatalogErrorCode = (typeof CatalogErrorCode)[keyof typeof CatalogErrorCode];

export const productNotFound = (productIds: string | string[]): AppError => {
  const ids = Array.isArray(productIds) ? productIds : [productIds];
  return new AppError(
    CatalogErrorCode.PRODUCT_NOT_FOUND,
    404,
    ids.length === 1 ? `Product ${ids[0]} not found` : `Products ${ids.join(', ')} not found`,
    { productIds: ids },
  );
};

export const productExists = (productId: string): AppError =>
  conflict(CatalogErrorCode.PRODUCT_EXISTS, `Product ${productId} already exists`, { productId });

export const invalidProductId = (productId: string): AppError =>
  badRequest(CatalogErrorCode.INVALID_PRODUCT_ID, `A product id looks like prd_<uuid>, got '${productId}'`, {
    productId,
  });

export const duplicateSku = (sku: string): AppError =>
  conflict(CatalogErrorCode.DUPLICATE_SKU, `SKU ${sku} is already used by another product`, { sku });

export const versionConflict = (
  productId: string,
  expectedVersion: number,
  currentVersion: number,
): AppError =>
  conflict(
    CatalogErrorCode.VERSION_CONFLICT,
    `Product ${productId} is at version ${currentVersion}, not ${expectedVersion}`,
    { productId, expectedVersion, currentVersion },
  );

export const productDiscontinued = (productIds: string | string[]): AppError => {
  const ids = Array.isArray(productIds) ? productIds : [productIds];
  return conflict(
    CatalogErrorCode.PRODUCT_DISCONTINUED,
    ids.length === 1 ? `Product ${ids[0]} is discontinued` : `Products ${ids.join(', ')} are discontinued`,
    { productIds: ids },
  );
};

export const alreadyDiscontinued = (productId: string): AppError =>
  conflict(CatalogErrorCode.ALREADY_DISCONTINUED, `Product ${productId} is already discontinued`, {
    productId,
  });

export const insufficientStock = (
  productId: string,
  details: { quantity: number; reserved: number; requestedQuantity: number },
): AppError =>
  conflict(
    CatalogErrorCode.INSUFFICIENT_STOCK,
    `Product ${productId} has ${details.quantity} units available; the adjustment would leave ${details.requestedQuantity}`,
    { productId, ...details },
  );

export interface OutOfStockLine {
  productId: string;
  requested: number;
  available: number;
}

export const outOfStock = (lines: OutOfStockLine[]): AppError =>
  conflict(
    CatalogErrorCode.OUT_OF_STOCK,
    `Not enough stock for ${lines.map((l) => `${l.productId} (requested ${l.requested}, available ${l.available})`).join(', ')}`,
    { items: lines },
  );

export const notReserved = (productId: string, requested: number, reserved: number): AppError =>
  conflict(
    CatalogErrorCode.NOT_RESERVED,
    `Product ${productId} has ${reserved} units reserved, cannot release or consume ${requested}`,
    { productId, requested, reserved },
  );

export const invalidQuantity = (productId: string, quantity: unknown): AppError =>
  badRequest(
    CatalogErrorCode.INVALID_QUANTITY,
    `Quantity for ${productId} must be a positive integer, got ${String(quantity)}`,
    { productId, quantity },
  );

export const invalidPrice = (price: string): AppError =>
  badRequest(
    CatalogErrorCode.INVALID_PRICE,
    `Price must be a positive amount with at most 2 decimals, got '${price}'`,
    {
      price,
    },
  );

export const invalidRating = (rating: unknown): AppError =>
  badRequest(
    CatalogErrorCode.INVALID_RATING,
    `Rating must be an integer from 1 to 5, got ${String(rating)}`,
    {
      rating,
    },
  );

export const unsupportedCurrency = (currency: string, expected: string): AppError =>
  badRequest(
    CatalogErrorCode.UNSUPPORTED_CURRENCY,
    `This service prices products in ${expected}, got ${currency}`,
    { currency, expected },
  );

export const emptyUpdate = (): AppError =>
  badRequest(CatalogErrorCode.EMPTY_UPDATE, 'The update names no field to change');

export const notPurchased = (productId: string): AppError =>
  new AppError(
    CatalogErrorCode.NOT_PURCHASED,
    403,
    `Only a customer who received product ${productId} in a delivered order may review it`,
    { productId },
  );

export const alreadyReviewed = (productId: string, customerId: string): AppError =>
  conflict(
    CatalogErrorCode.ALREADY_REVIEWED,
    `Customer ${customerId} has already reviewed product ${productId}`,
    {
      productId,
      customerId,
    },
  );
