import type { Response } from 'express';
import { acceptedResponse, type CommandAcceptedDto } from '../../../shared/http/command-accepted.js';
import type { CustomerCommandResult } from '../persistence/customer.repository.js';

/** The 202 body (shared by every context: id, version, consistencyToken `<aggregateId>@<version>`). */
export { CommandAcceptedDto as CustomerCommandAcceptedDto } from '../../../shared/http/command-accepted.js';

export const customerLocation = (customerId: string): string =>
  `/api/customers/${encodeURIComponent(customerId)}`;

export const addressLocation = (customerId: string, addressId: string): string =>
  `${customerLocation(customerId)}/addresses/${encodeURIComponent(addressId)}`;

/** Sets `Location` (the query URL of `id`) and builds the 202 body. */
export function accepted(
  res: Response,
  result: CustomerCommandResult,
  target: 'customer' | 'address' = 'customer',
): CommandAcceptedDto {
  const addressId = target === 'address' ? result.addressId : undefined;
  return acceptedResponse(res, {
    id: addressId ?? result.customerId,
    aggregateId: result.customerId,
    version: result.version,
    location: addressId ? addressLocation(result.customerId, addressId) : customerLocation(result.customerId),
  });
}
