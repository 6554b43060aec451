import type { Response } from 'express';

/** What a command handler of the orders context returns through the CommandBus. */
export interface OrderCommandResult {
  id: string;
  version: number;
}

/**
 * The body of every accepted orders command (202). `consistencyToken` names the aggregate version
 * the command produced (`<orderId>@<version>`): a query that is given it can wait until its read
 * model has reached that version (read-your-writes across the asynchronous projections).
 */
export class CommandAcceptedResponseDto {
  id!: string;
  version!: number;
  consistencyToken!: string;
}

export const orderLocation = (orderId: string): string => `/api/orders/${encodeURIComponent(orderId)}`;

/** Sets `Location` to the order's query URL and builds the 202 body. */
export function accepted(res: Response, result: OrderCommandResult): CommandAcceptedResponseDto {
  res.setHeader('Location', orderLocation(result.id));
  return { id: result.id, version: result.version, consistencyToken: `${result.id}@${result.version}` };
}
