import type { Response } from 'express';
import { productNotFound } from '../catalog.errors.js';
import { PRODUCT_ID_PATTERN } from '../catalog.public.js';

/** What a catalog command handler returns through the CommandBus. */
export interface ProductCommandResult {
  id: string;
  version: number;
}

/**
 * The body of every accepted catalog command (202). `consistencyToken` names the aggregate version
 * the command produced (`<productId>@<version>`, the same shape as the other contexts'): a query
 * given it can wait until its read model has reached that version.
 */
export class CommandAcceptedResponseDto {
  id!: string;
  version!: number;
  consistencyToken!: string;
}

export const productLocation = (productId: string): string =>
  `/api/products/${encodeURIComponent(productId)}`;

/** Sets `Location` to the product's query URL and builds the 202 body. */
export function accepted(res: Response, result: ProductCommandResult): CommandAcceptedResponseDto {
  res.setHeader('Location', productLocation(result.id));
  return { id: result.id, version: result.version, consistencyToken: `${result.id}@${result.version}` };
}

/** A path id that cannot name a product is answered like an unknown product, without a query. */
export function requireProductIdShape(productId: string): string {
  if (!PRODUCT_ID_PATTERN.test(productId)) throw productNotFound(productId);
  return productId;
}
