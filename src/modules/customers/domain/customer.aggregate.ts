/**
 * The Customer aggregate: a customer and their addresses, one consistency boundary. Commands
 * (`register`, `updateProfile`, ...) check the rules against the current state and emit events;
 * `evolve` is the only place state changes, so a Customer rebuilt from its events
 * (`fromEvents`) equals the one the commands produced. No I/O: the repository loads and saves.
 *
 * Rules:
 * - email is stored trimmed and lower-cased; names and address fields are trimmed, never blank;
 *   the country is upper-cased.
 * - a suspended customer cannot change profile or addresses (409 CUSTOMERS.SUSPENDED); the VIP
 *   status can still be changed; suspending twice / reactivating an active customer is a 409.
 * - a command that changes nothing (same profile values, same VIP status, same address fields)
 *   emits no event and leaves the version as it is.
 * - at most MAX_ADDRESSES current addresses; while there is at least one, exactly one is the
 *   default: the first address added becomes it, `isDefault: true` moves it (the old default gets
 *   an AddressUpdated first), removing the default promotes the oldest remaining address.
 * - every event increments the aggregate version by one (domain_events is unique on
 *   aggregateId + aggregateVersion).
 */
import { randomUUID } from 'node:crypto';
import { AddressAddedEvent, type AddressField, type AddressPayload } from './events/address-added.event.js';
import { AddressRemovedEvent } from './events/address-removed.event.js';
import { AddressUpdatedEvent } from './events/address-updated.event.js';
import { CustomerProfileUpdatedEvent, type ProfileField } from './events/customer-profile-updated.event.js';
import { CustomerReactivatedEvent } from './events/customer-reactivated.event.js';
import { CustomerRegisteredEvent } from './events/customer-registered.event.js';
import { CustomerSuspendedEvent } from './events/customer-suspended.event.js';
import { CustomerVipStatusChangedEvent } from './events/customer-vip-status-changed.event.js';
import {
  addressAlreadyExists,
  addressLimitReached,
  addressNotFound,
  alreadySuspended,
  customerSuspended,
  invalidField,
  notSuspended,
  versionConflict,
} from '../customers.errors.js';
import type { CustomerStatus, VipStatus } from '../customers.public.js';

export const MAX_ADDRESSES = 20;

export const newCustomerId = (): string => `cus_${randomUUID()}`;
export const newAddressId = (): string => `adr_${randomUUID()}`;

export type CustomerEvent =
  | CustomerRegisteredEvent
  | CustomerProfileUpdatedEvent
  | CustomerVipStatusChangedEvent
  | CustomerSuspendedEvent
  | CustomerReactivatedEvent
  | AddressAddedEvent
  | AddressUpdatedEvent
  | AddressRemovedEvent;

/** For EventRegistry.register(...) (CustomersModule.onModuleInit). */
export const CUSTOMER_EVENT_CLASSES = [
  CustomerRegisteredEvent,
  CustomerProfileUpdatedEvent,
  CustomerVipStatusChangedEvent,
  CustomerSuspendedEvent,
  CustomerReactivatedEvent,
  AddressAddedEvent,
  AddressUpdatedEvent,
  AddressRemovedEvent,
] as const;

export interface AddressState extends AddressPayload {
  createdAt: Date;
  updatedAt: Date;
}

export interface CustomerState {
  customerId: string;
  name: string;
  email: string;
  phone: string | null;
  vipStatus: VipStatus;
  status: CustomerStatus;
  suspendedReason: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** Current (not removed) addresses, oldest first. */
  addresses: AddressState[];
}

/** Who/when of the command being decided: stamped on every event it emits. */
export interface CommandContext {
  correlationId: string;
  now: Date;
}

export interface RegisterCustomerInput {
  customerId: string;
  name: string;
  email: string;
  phone?: string | null;
  vipStatus?: VipStatus;
}

export interface ProfileChanges {
  name?: string;
  email?: string;
  /** null clears the phone number. */
  phone?: string | null;
}

export interface AddressFields {
  label: string;
  line1: string;
  line2?: string | null;
  city: string;
  region?: string | null;
  postalCode: string;
  country: string;
}

export type AddressChanges = Partial<AddressFields> & { isDefault?: true };

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function required(field: string, value: string): string {
  const v = value.trim();
  if (v.length === 0) throw invalidField(field, 'must not be blank');
  return v;
}

function optional(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  const v = value.trim();
  return v.length === 0 ? null : v;
}

function normalizeAddress(fields: Partial<AddressFields>): Partial<AddressValues> {
  const out: Partial<AddressValues> = {};
  if (fields.label !== undefined) out.label = required('label', fields.label);
  if (fields.line1 !== undefined) out.line1 = required('line1', fields.line1);
  if (fields.line2 !== undefined) out.line2 = optional(fields.line2);
  if (fields.city !== undefined) out.city = required('city', fields.city);
  if (fields.region !== undefined) out.region = optional(fields.region);
  if (fields.postalCode !== undefined) out.postalCode = required('postalCode', fields.postalCode);
  if (fields.country !== undefined) out.country = country(fields.country);
  return out;
}

function country(value: string): string {
  const c = required('country', value).toUpperCase();
  if (!/^[A-Z]{2}$/.test(c)) throw invalidField('country', 'must be an ISO 3166-1 alpha-2 code');
  return c;
}

type AddressValues = Omit<AddressPayload, 'addressId' | 'isDefault' | 'version'>;

function normalizeNewAddress(f: AddressFields): AddressValues {
  return {
    label: required('label', f.label),
    line1: required('line1', f.line1),
    line2: optional(f.line2),
    city: required('city', f.city),
    region: optional(f.region),
    postalCode: required('postalCode', f.postalCode),
    country: country(f.country),
  };
}

function addressPayload(a: AddressPayload): AddressPayload {
  return {
    addressId: a.addressId,
    label: a.label,
    line1: a.line1,
    line2: a.line2,
    city: a.city,
    region: a.region,
    postalCode: a.postalCode,
    country: a.country,
    isDefault: a.isDefault,
    version: a.version,
  };
}

/** The state after one event. Pure: returns a new state, never mutates its input. */
export function evolve(state: CustomerState | null, event: CustomerEvent): CustomerState {
  const at = event.occurredAt;
  if (event.type === CustomerRegisteredEvent.TYPE) {
    const p = event.payload;
    return {
      customerId: event.aggregateId,
      name: p.name,
      email: p.email,
      phone: p.phone,
      vipStatus: p.vipStatus,
      status: p.status,
      suspendedReason: null,
      version: event.aggregateVersion,
      createdAt: at,
      updatedAt: at,
      addresses: [],
    };
  }
  if (!state) throw new Error(`${event.type} before customers.customer-registered`);
  const next: CustomerState = { ...state, version: event.aggregateVersion, updatedAt: at };
  switch (event.type) {
    case CustomerProfileUpdatedEvent.TYPE:
      return { ...next, name: event.payload.name, email: event.payload.email, phone: event.payload.phone };
    case CustomerVipStatusChangedEvent.TYPE:
      return { ...next, vipStatus: event.payload.vipStatus };
    case CustomerSuspendedEvent.TYPE:
      return { ...next, status: 'suspended', suspendedReason: event.payload.reason };
    case CustomerReactivatedEvent.TYPE:
      return { ...next, status: 'active', suspendedReason: null };
    case AddressAddedEvent.TYPE:
      return {
        ...next,
        addresses: [...state.addresses, { ...addressPayload(event.payload), createdAt: at, updatedAt: at }],
      };
    case AddressUpdatedEvent.TYPE: {
      const { changed: _changed, ...payload } = event.payload;
      return {
        ...next,
        addresses: state.addresses.map((a) =>
          a.addressId === payload.addressId ? { ...a, ...addressPayload(payload), updatedAt: at } : a,
        ),
      };
    }
    case AddressRemovedEvent.TYPE:
      return { ...next, addresses: state.addresses.filter((a) => a.addressId !== event.payload.addressId) };
  }
}

export class Customer {
  private pending: CustomerEvent[] = [];

  private constructor(
    private current: CustomerState,
    /** The version the write model holds (0 for a customer not saved yet): the optimistic lock. */
    readonly persistedVersion: number,
  ) {}

  /** A new customer (version 1, one CustomerRegistered event). */
  static register(input: RegisterCustomerInput, ctx: CommandContext): Customer {
    const event = new CustomerRegisteredEvent(
      input.customerId,
      1,
      {
        name: required('name', input.name),
        email: required('email', normalizeEmail(input.email)),
        phone: optional(input.phone),
        vipStatus: input.vipStatus ?? 'none',
        status: 'active',
      },
      ctx.correlationId,
      { occurredAt: ctx.now },
    );
    const customer = new Customer(evolve(null, event), 0);
    customer.pending.push(event);
    return customer;
  }

  /** The customer as stored in the write model. */
  static rehydrate(state: CustomerState): Customer {
    return new Customer(state, state.version);
  }

  /** The customer its events describe (tests, rebuilds). */
  static fromEvents(events: readonly CustomerEvent[]): Customer {
    let state: CustomerState | null = null;
    for (const e of events) state = evolve(state, e);
    if (!state) throw new Error('a customer needs at least its customers.customer-registered event');
    return new Customer(state, state.version);
  }

  get id(): string {
    return this.current.customerId;
  }

  get version(): number {
    return this.current.version;
  }

  get state(): Readonly<CustomerState> {
    return this.current;
  }

  /** The events emitted since load (or since the last pull), oldest first. */
  pullEvents(): CustomerEvent[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** A client's expected version (optional optimistic lock from the request). */
  expectVersion(expected: number | undefined): void {
    if (expected !== undefined && expected !== this.current.version)
      throw versionConflict(this.id, expected, this.current.version);
  }

  updateProfile(changes: ProfileChanges, ctx: CommandContext): void {
    this.requireActive();
    const s = this.current;
    const next = {
      name: changes.name === undefined ? s.name : required('name', changes.name),
      email: changes.email === undefined ? s.email : required('email', normalizeEmail(changes.email)),
      phone: changes.phone === undefined ? s.phone : optional(changes.phone),
    };
    const changed = (['name', 'email', 'phone'] as ProfileField[]).filter((f) => next[f] !== s[f]);
    if (changed.length === 0) return;
    this.emit(
      (v) => new CustomerProfileUpdatedEvent(this.id, v, { ...next, changed }, ctx.correlationId, meta(ctx)),
    );
  }

  setVipStatus(vipStatus: VipStatus, ctx: CommandContext): void {
    const previousVipStatus = this.current.vipStatus;
    if (vipStatus === previousVipStatus) return;
    this.emit(
      (v) =>
        new CustomerVipStatusChangedEvent(
          this.id,
          v,
          { vipStatus, previousVipStatus },
          ctx.correlationId,
          meta(ctx),
        ),
    );
  }

  suspend(reason: string | null | undefined, ctx: CommandContext): void {
    if (this.current.status === 'suspended') throw alreadySuspended(this.id);
    this.emit(
      (v) =>
        new CustomerSuspendedEvent(this.id, v, { reason: optional(reason) }, ctx.correlationId, meta(ctx)),
    );
  }

  reactivate(ctx: CommandContext): void {
    if (this.current.status !== 'suspended') throw notSuspended(this.id);
    this.emit((v) => new CustomerReactivatedEvent(this.id, v, {}, ctx.correlationId, meta(ctx)));
  }

  addAddress(addressId: string, fields: AddressFields & { isDefault?: boolean }, ctx: CommandContext): void {
    this.requireActive();
    const s = this.current;
    if (s.addresses.some((a) => a.addressId === addressId)) throw addressAlreadyExists(addressId);
    if (s.addresses.length >= MAX_ADDRESSES) throw addressLimitReached(this.id, MAX_ADDRESSES);
    const values = normalizeNewAddress(fields);
    const oldDefault = s.addresses.find((a) => a.isDefault);
    const isDefault = !oldDefault || fields.isDefault === true;
    if (isDefault && oldDefault) this.unsetDefault(oldDefault, ctx);
    const payload: AddressPayload = { addressId, ...values, isDefault, version: 1 };
    this.emit((v) => new AddressAddedEvent(this.id, v, payload, ctx.correlationId, meta(ctx)));
  }

  updateAddress(addressId: string, changes: AddressChanges, ctx: CommandContext): void {
    this.requireActive();
    const address = this.address(addressId);
    const n = normalizeAddress(changes);
    const changed: (AddressField | 'isDefault')[] = (Object.keys(n) as AddressField[]).filter(
      (f) => n[f] !== address[f],
    );
    const makeDefault = changes.isDefault === true && !address.isDefault;
    if (makeDefault) changed.push('isDefault');
    if (changed.length === 0) return;
    if (makeDefault) {
      const oldDefault = this.current.addresses.find((a) => a.isDefault);
      if (oldDefault) this.unsetDefault(oldDefault, ctx);
    }
    const after: AddressPayload = {
      ...addressPayload(this.address(addressId)),
      ...n,
      isDefault: address.isDefault || makeDefault,
      version: address.version + 1,
    };
    this.emit(
      (v) => new AddressUpdatedEvent(this.id, v, { ...after, changed }, ctx.correlationId, meta(ctx)),
    );
  }

  removeAddress(addressId: string, ctx: CommandContext): void {
    this.requireActive();
    const address = this.address(addressId);
    this.emit((v) => new AddressRemovedEvent(this.id, v, { addressId }, ctx.correlationId, meta(ctx)));
    const heir = this.current.addresses[0];
    if (address.isDefault && heir) {
      const payload = { ...addressPayload(heir), isDefault: true, version: heir.version + 1 };
      this.emit(
        (v) =>
          new AddressUpdatedEvent(
            this.id,
            v,
            { ...payload, changed: ['isDefault'] },
            ctx.correlationId,
            meta(ctx),
          ),
      );
    }
  }

  private unsetDefault(address: AddressState, ctx: CommandContext): void {
    const payload = { ...addressPayload(address), isDefault: false, version: address.version + 1 };
    this.emit(
      (v) =>
        new AddressUpdatedEvent(
          this.id,
          v,
          { ...payload, changed: ['isDefault'] },
          ctx.correlationId,
          meta(ctx),
        ),
    );
  }

  private address(addressId: string): AddressState {
    const a = this.current.addresses.find((x) => x.addressId === addressId);
    if (!a) throw addressNotFound(this.id, addressId);
    return a;
  }

  private requireActive(): void {
    if (this.current.status !== 'active') throw customerSuspended(this.id);
  }

  private emit(make: (version: number) => CustomerEvent): void {
    const event = make(this.current.version + 1);
    this.current = evolve(this.current, event);
    this.pending.push(event);
  }
}

function meta(ctx: CommandContext): { occurredAt: Date } {
  return { occurredAt: ctx.now };
}
