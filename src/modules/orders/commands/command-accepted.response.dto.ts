import { HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import { acceptedResponse, type CommandAcceptedDto } from '../../../shared/http/command-accepted.js';
import { respondFromTransaction } from '../../../shared/idempotency/idempotent-execution.js';
import type { StoredResponse } from '../../../shared/idempotency/idempotency-key.schema.js';

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

/** `accepted`'s answer as the Idempotency-Key record stores it (202, the same body and Location). */
export function storedAccepted(result: OrderCommandResult): StoredResponse {
  let location: string | null = null;
  const headers = {
    setHeader(name: string, value: string): void {
      if (name.toLowerCase() === 'location') location = value;
    },
  };
  const body = accepted(headers as unknown as Response, result);
  return { status: HttpStatus.ACCEPTED, body: JSON.stringify(body), location, error: false };
}

/**
 * For a controller that answers `accepted(res, <its command's result>)` with 202: call it before
 * running the command, so the command's transaction stores that answer for the request's
 * Idempotency-Key (one write fewer per request; see idempotent-execution.ts).
 */
export function answerAcceptedFromTransaction(): void {
  respondFromTransaction<OrderCommandResult>(storedAccepted);
}
