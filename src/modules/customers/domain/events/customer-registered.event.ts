import { DomainEvent } from '../../../../shared/events/domain-event.js';
import type { CustomerStatus, VipStatus } from '../../customers.public.js';

/** A customer was created (aggregate version 1). */
export interface CustomerRegisteredPayload {
  name: string;
  email: string;
  phone: string | null;
  vipStatus: VipStatus;
  status: CustomerStatus;
}

export class CustomerRegisteredEvent extends DomainEvent<CustomerRegisteredPayload> {
  static readonly TYPE = 'customers.customer-registered';
  readonly type = CustomerRegisteredEvent.TYPE;
  readonly aggregateType = 'customer';
}
