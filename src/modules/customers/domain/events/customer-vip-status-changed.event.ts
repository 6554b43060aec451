import { DomainEvent } from '../../../../shared/events/domain-event.js';
import type { VipStatus } from '../../customers.public.js';

export interface CustomerVipStatusChangedPayload {
  vipStatus: VipStatus;
  previousVipStatus: VipStatus;
}

export class CustomerVipStatusChangedEvent extends DomainEvent<CustomerVipStatusChangedPayload> {
  static readonly TYPE = 'customers.customer-vip-status-changed';
  readonly type = CustomerVipStatusChangedEvent.TYPE;
  readonly aggregateType = 'customer';
}
