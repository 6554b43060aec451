import type { Response } from 'express';
import { acceptedResponse, type CommandAcceptedDto } from '../../../shared/http/command-accepted.js';

/** What a command handler of the orders context returns through the CommandBus. */
export interface OrderCommandResult {
  id: string;
  version: number;
}

/** The 202 body (shared by every context: id, version, consistencyToken `<aggregateId>@<version>`). */
export { CommandAcceptedDto as CommandAcceptedResponseDto } from '../../../shared/http/command-accepted.js';

export const orderLocation = (orderId: string): string => `/api/orders/${encodeURIComponent(orderId)}`;

/** Sets `Location` to the order's query URL and builds the 202 body. */
export function accepted(res: Response, result: OrderCommandResult): CommandAcceptedDto {
  return acceptedResponse(res, { ...result, location: orderLocation(result.id) });
}
