import { DomainEvent } from '../../../../shared/events/domain-event.js';

/**
 * The address was removed (soft delete in the write model). If it was the default, an
 * AddressUpdated event making the oldest remaining address the default follows.
 */
export interface AddressRemovedPayload {
  addressId: string;
}

export class AddressRemovedEvent extends DomainEvent<AddressRemovedPayload> {
  static readonly TYPE = 'customers.address-removed';
  readonly type = AddressRemovedEvent.TYPE;
  readonly aggregateType = 'customer';
}
