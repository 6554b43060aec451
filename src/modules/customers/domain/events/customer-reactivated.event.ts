import { DomainEvent } from '../../../../shared/events/domain-event.js';

export type CustomerReactivatedPayload = Record<string, never>;

export class CustomerReactivatedEvent extends DomainEvent<CustomerReactivatedPayload> {
  static readonly TYPE = 'customers.customer-reactivated';
  readonly type = CustomerReactivatedEvent.TYPE;
  readonly aggregateType = 'customer';
}
