import { DomainEvent } from '../../../../shared/events/domain-event.js';

/** The customer may no longer place orders or change their profile or addresses. */
export interface CustomerSuspendedPayload {
  reason: string | null;
}

export class CustomerSuspendedEvent extends DomainEvent<CustomerSuspendedPayload> {
  static readonly TYPE = 'customers.customer-suspended';
  readonly type = CustomerSuspendedEvent.TYPE;
  readonly aggregateType = 'customer';
}
