import { DomainEvent } from '../../../../shared/events/domain-event.js';

export type ProfileField = 'name' | 'email' | 'phone';

/** Name, email and/or phone changed; the payload holds the whole profile after the change. */
export interface CustomerProfileUpdatedPayload {
  name: string;
  email: string;
  phone: string | null;
  changed: ProfileField[];
}

export class CustomerProfileUpdatedEvent extends DomainEvent<CustomerProfileUpdatedPayload> {
  static readonly TYPE = 'customers.customer-profile-updated';
  readonly type = CustomerProfileUpdatedEvent.TYPE;
  readonly aggregateType = 'customer';
}
