import type { Response } from 'express';
import { acceptedResponse, type CommandAcceptedDto } from '../../../shared/http/command-accepted.js';
import { productNotFound } from '../catalog.errors.js';
import { PRODUCT_ID_PATTERN } from '../catalog.public.js';

/** What a catalog command handler returns through the CommandBus. */
export interface ProductCommandResult {
  id: string;
  version: number;
}

/** The 202 body (shared by every context: id, version, consistencyToken `<aggregateId>@<version>`). */
export { CommandAcceptedDto as CommandAcceptedResponseDto } from '../../../shared/http/command-accepted.js';

export const productLocation = (productId: string): string =>
  `/api/products/${encodeURIComponent(productId)}`;

/** Sets `Location` to the product's query URL and builds the 202 body. */
export function accepted(res: Response, result: ProductCommandResult): CommandAcceptedDto {
  return acceptedResponse(res, { ...result, location: productLocation(result.id) });
}

/** A path id that cannot name a product is answered like an unknown product, without a query. */
export function requireProductIdShape(productId: string): string {
  if (!PRODUCT_ID_PATTERN.test(productId)) throw productNotFound(productId);
  return productId;
}
