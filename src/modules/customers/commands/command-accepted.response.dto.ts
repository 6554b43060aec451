import type { Response } from 'express';
import type { CustomerCommandResult } from '../persistence/customer.repository.js';

/**
 * The body of every accepted customers command (202 Accepted).
 * - `id`: the resource the command created or changed: the customer, or for address commands
 *   the address;
 * - `version`: the customer aggregate's version after the command (addresses are part of the
 *   customer, so address commands advance it too); unchanged when the command changed nothing;
 * - `consistencyToken`: `<customerId>@<version>` (the format the orders context uses too): a
 *   query given it can wait until its read model has caught up with that version.
 */
export class CustomerCommandAcceptedDto {
  id!: string;
  version!: number;
  consistencyToken!: string;
}

export const customerLocation = (customerId: string): string =>
  `/api/customers/${encodeURIComponent(customerId)}`;

export const addressLocation = (customerId: string, addressId: string): string =>
  `${customerLocation(customerId)}/addresses/${encodeURIComponent(addressId)}`;

/** Sets `Location` (the query URL of `id`) and builds the 202 body. */
export function accepted(
  res: Response,
  result: CustomerCommandResult,
  target: 'customer' | 'address' = 'customer',
): CustomerCommandAcceptedDto {
  const addressId = target === 'address' ? result.addressId : undefined;
  res.setHeader(
    'Location',
    addressId ? addressLocation(result.customerId, addressId) : customerLocation(result.customerId),
  );
  return {
    id: addressId ?? result.customerId,
    version: result.version,
    consistencyToken: `${result.customerId}@${result.version}`,
  };
}
