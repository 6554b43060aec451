import { DomainEvent } from '../../../../shared/events/domain-event.js';

/** The whole address as carried by address events (plain JSON values). */
export interface AddressPayload {
  addressId: string;
  label: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
  isDefault: boolean;
  /** The address's own change count (1 when added). */
  version: number;
}

export const ADDRESS_FIELDS = ['label', 'line1', 'line2', 'city', 'region', 'postalCode', 'country'] as const;
export type AddressField = (typeof ADDRESS_FIELDS)[number];

/** An address was added to the customer; the payload is the whole address (version 1). */
export type AddressAddedPayload = AddressPayload;

export class AddressAddedEvent extends DomainEvent<AddressAddedPayload> {
  static readonly TYPE = 'customers.address-added';
  readonly type = AddressAddedEvent.TYPE;
  readonly aggregateType = 'customer';
}
