/**
 * Cache lifetimes (seconds) of the query side. Order entries live by status, as the seed document
 * sets them: a pending order changes soon (60 s), a delivered one hardly ever (1 h), anything else
 * 5 min. Lifetimes only bound memory and the damage of a missed invalidation: projections
 * invalidate every key their change affects, so a status change is visible on the next query.
 */
export const DEFAULT_TTL_SECONDS = 300;
export const PENDING_ORDER_TTL_SECONDS = 60;
export const DELIVERED_ORDER_TTL_SECONDS = 3600;

/** TTL for a cached order (or a list dominated by one order status). Unknown statuses get the default. */
export function ttlForOrderStatus(status: string | null | undefined): number {
  switch (status) {
    case 'pending':
      return PENDING_ORDER_TTL_SECONDS;
    case 'delivered':
      return DELIVERED_ORDER_TTL_SECONDS;
    default:
      return DEFAULT_TTL_SECONDS;
  }
}
