import { DomainEvent } from '../../../../shared/events/domain-event.js';
import type { AddressField, AddressPayload } from './address-added.event.js';

/**
 * An address changed (its fields, or whether it is the default). The payload is the whole address
 * after the change. Making one address the default also emits this event for the address that
 * stops being the default (before the one for the new default).
 */
export interface AddressUpdatedPayload extends AddressPayload {
  changed: (AddressField | 'isDefault')[];
}

export class AddressUpdatedEvent extends DomainEvent<AddressUpdatedPayload> {
  static readonly TYPE = 'customers.address-updated';
  readonly type = AddressUpdatedEvent.TYPE;
  readonly aggregateType = 'customer';
}
