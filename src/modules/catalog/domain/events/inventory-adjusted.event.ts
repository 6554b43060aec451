import { DomainEvent } from '../../../../shared/events/domain-event.js';

export interface InventoryAdjustedPayload {
  mode: 'delta' | 'set';
  delta: number;
  reason: string | null;
  inventory: { quantity: number; reserved: number };
}

/** An admin corrected the available quantity; `delta` is the effective change, `inventory` the result. */
export class InventoryAdjustedEvent extends DomainEvent<InventoryAdjustedPayload> {
  static readonly TYPE = 'catalog.inventory-adjusted' as const;
  readonly type = InventoryAdjustedEvent.TYPE;
  readonly aggregateType = 'product';
}
