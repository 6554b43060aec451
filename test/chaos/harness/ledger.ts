/**
 * What the clients were told: every command the load generator sent, with its key, its kind, the
 * aggregate it targets, the event type it must leave exactly once when acknowledged, and its
 * final answer. The checks compare this ledger with the write model.
 */
import type { CommandAnswer, Outcome } from './http-client.js';

export type CommandKind =
  | 'place-order'
  | 'order-status'
  | 'cancel-order'
  | 'update-product'
  | 'adjust-inventory'
  | 'update-profile'
  | 'update-address';

export interface LedgerEntry {
  key: string;
  kind: CommandKind;
  /** The aggregate whose events the command appends (the order id is known only after a 2xx). */
  aggregateId: string | undefined;
  /** The event type an acknowledged command leaves exactly once. */
  eventType: string;
  outcome: Outcome;
  status: number;
  code: string | undefined;
  /** The error message of a rejected command. */
  message: string | undefined;
  /** From a 2xx answer. */
  id: string | undefined;
  version: number | undefined;
  /** place-order: the lines sent. */
  items?: { productId: string; quantity: number }[];
  customerId?: string;
  attempts: number;
  /** What made the client send again (first and last few), for diagnosing unresolved commands. */
  retriedOn: string[];
}

export class Ledger {
  readonly entries: LedgerEntry[] = [];
  queries = 0;
  queryErrors = 0;

  record(
    base: Omit<
      LedgerEntry,
      'outcome' | 'status' | 'code' | 'message' | 'id' | 'version' | 'attempts' | 'retriedOn'
    >,
    answer: CommandAnswer,
  ): LedgerEntry {
    const entry: LedgerEntry = {
      ...base,
      outcome: answer.outcome,
      status: answer.status,
      code: typeof answer.body.code === 'string' ? answer.body.code : undefined,
      message: typeof answer.body.message === 'string' ? answer.body.message.slice(0, 300) : undefined,
      id: typeof answer.body.id === 'string' ? answer.body.id : undefined,
      version: typeof answer.body.version === 'number' ? answer.body.version : undefined,
      attempts: answer.attempts,
      retriedOn:
        answer.retriedOn.length > 6
          ? [...answer.retriedOn.slice(0, 3), '...', ...answer.retriedOn.slice(-3)]
          : answer.retriedOn,
    };
    if (entry.kind === 'place-order' && entry.outcome === 'acknowledged') entry.aggregateId = entry.id;
    this.entries.push(entry);
    return entry;
  }

  count(outcome: Outcome): number {
    return this.entries.filter((e) => e.outcome === outcome).length;
  }

  /** Commands that needed more than one attempt (they crossed a kill). */
  retried(): number {
    return this.entries.filter((e) => e.attempts > 1).length;
  }
}
