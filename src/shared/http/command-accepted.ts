import { ApiProperty } from '@nestjs/swagger';
import type { Response } from 'express';

/**
 * The body of every accepted command (202 Accepted), in every context:
 * - `id`: the resource the command created or changed;
 * - `version`: the aggregate's version after the command;
 * - `consistencyToken`: `<aggregateId>@<version>`: a query given it can wait until its read model
 *   has reached that version (read-your-writes across the asynchronous projections).
 */
export class CommandAcceptedDto {
  @ApiProperty({ description: 'The resource the command created or changed', example: 'ord_01J9Z3' })
  id!: string;

  @ApiProperty({ description: "The aggregate's version after the command", example: 2 })
  version!: number;

  @ApiProperty({
    description:
      '`<aggregateId>@<version>`: send it as the `X-Consistency-Token` header of a query to read your own write',
    example: 'ord_01J9Z3@2',
  })
  consistencyToken!: string;
}

/** Sets `Location` to the query URL of the resource and builds the 202 body. */
export function acceptedResponse(
  res: Response,
  r: { id: string; version: number; aggregateId?: string; location: string },
): CommandAcceptedDto {
  res.setHeader('Location', r.location);
  return { id: r.id, version: r.version, consistencyToken: `${r.aggregateId ?? r.id}@${r.version}` };
}
