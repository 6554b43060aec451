/**
 * Customer aggregate rules as given / when / then: given the customer's past events, when a
 * command runs, then these events are emitted (compared by type, version and payload), or this
 * error. Every `then` also checks that replaying history + new events (`fromEvents`) yields the
 * state the command produced, so `evolve` and the commands cannot drift apart.
 */
import { AppError } from '../../../shared/errors/app-error.js';
import { CustomerErrorCode } from '../customers.errors.js';
import { Customer, MAX_ADDRESSES, type CommandContext, type CustomerEvent } from './customer.aggregate.js';
import { AddressAddedEvent, type AddressPayload } from './events/address-added.event.js';
import { AddressRemovedEvent } from './events/address-removed.event.js';
import { AddressUpdatedEvent, type AddressUpdatedPayload } from './events/address-updated.event.js';
import { CustomerProfileUpdatedEvent } from './events/customer-profile-updated.event.js';
import { CustomerReactivatedEvent } from './events/customer-reactivated.event.js';
import {
  CustomerRegisteredEvent,
  type CustomerRegisteredPayload,
} from './events/customer-registered.event.js';
import { CustomerSuspendedEvent } from './events/customer-suspended.event.js';
import { CustomerVipStatusChangedEvent } from './events/customer-vip-status-changed.event.js';

const ID = 'cus_00000000-0000-4000-8000-000000000001';
const A1 = 'adr_00000000-0000-4000-8000-0000000000a1';
const A2 = 'adr_00000000-0000-4000-8000-0000000000a2';
const A3 = 'adr_00000000-0000-4000-8000-0000000000a3';
const T0 = new Date('2026-01-01T00:00:00Z');
const NOW = new Date('2026-02-01T12:00:00Z');
const ctx: CommandContext = { correlationId: 'corr-test', now: NOW };

// ---- history builders ----------------------------------------------------------------------

const registered = (p: Partial<CustomerRegisteredPayload> = {}): CustomerEvent =>
  new CustomerRegisteredEvent(
    ID,
    1,
    {
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: null,
      vipStatus: 'none',
      status: 'active',
      ...p,
    },
    'c0',
    { occurredAt: T0 },
  );

const address = (addressId: string, p: Partial<AddressPayload> = {}): AddressPayload => ({
  addressId,
  label: 'Home',
  line1: '1 Main St',
  line2: null,
  city: 'Springfield',
  region: null,
  postalCode: '12345',
  country: 'US',
  isDefault: false,
  version: 1,
  ...p,
});

const added = (v: number, a: AddressPayload): CustomerEvent =>
  new AddressAddedEvent(ID, v, a, 'c0', { occurredAt: T0 });
const updated = (v: number, p: AddressUpdatedPayload): CustomerEvent =>
  new AddressUpdatedEvent(ID, v, p, 'c0', { occurredAt: T0 });
const removed = (v: number, addressId: string): CustomerEvent =>
  new AddressRemovedEvent(ID, v, { addressId }, 'c0', { occurredAt: T0 });
const suspended = (v: number, reason: string | null = null): CustomerEvent =>
  new CustomerSuspendedEvent(ID, v, { reason }, 'c0', { occurredAt: T0 });

/** A registered customer with addresses A1 (default) and A2, at version 3. */
const withTwoAddresses = (): CustomerEvent[] => [
  registered(),
  added(2, address(A1, { isDefault: true })),
  added(3, address(A2, { label: 'Work' })),
];

// ---- given / when / then -------------------------------------------------------------------

interface Expected {
  type: string;
  version: number;
  payload: object;
}
const ev = (type: string, version: number, payload: object): Expected => ({ type, version, payload });

function given(...history: CustomerEvent[]) {
  return {
    when(act: (c: Customer | undefined) => Customer | void) {
      const run = (): { customer: Customer; events: CustomerEvent[] } => {
        const before = history.length > 0 ? Customer.fromEvents(history) : undefined;
        const customer = act(before) ?? before;
        if (!customer) throw new Error('when() produced no customer');
        return { customer, events: customer.pullEvents() };
      };
      return {
        then(expected: Expected[]): Customer {
          const { customer, events } = run();
          expect(
            events.map((e) => ({ type: e.type, version: e.aggregateVersion, payload: e.payload })),
          ).toEqual(expected);
          for (const e of events) {
            expect(e.aggregateId).toBe(ID);
            expect(e.aggregateType).toBe('customer');
            expect(e.correlationId).toBe(ctx.correlationId);
            expect(e.occurredAt).toEqual(NOW);
          }
          if (history.length + events.length > 0) {
            expect(Customer.fromEvents([...history, ...events]).state).toEqual(customer.state);
          }
          return customer;
        },
        thenNothing(): Customer {
          const { customer, events } = run();
          expect(events).toEqual([]);
          return customer;
        },
        thenThrows(code: string, details?: object): void {
          let caught: unknown;
          try {
            run();
          } catch (e) {
            caught = e;
          }
          expect(caught).toBeInstanceOf(AppError);
          expect((caught as AppError).code).toBe(code);
          if (details) expect((caught as AppError).details).toMatchObject(details);
        },
      };
    },
  };
}

// ---- rules ---------------------------------------------------------------------------------

describe('Customer aggregate', () => {
  describe('register', () => {
    it('creates an active customer at version 1 with a trimmed, lower-cased email and no VIP status', () => {
      const c = given()
        .when(() =>
          Customer.register({ customerId: ID, name: '  Ada Lovelace ', email: ' Ada@Example.COM ' }, ctx),
        )
        .then([
          ev(CustomerRegisteredEvent.TYPE, 1, {
            name: 'Ada Lovelace',
            email: 'ada@example.com',
            phone: null,
            vipStatus: 'none',
            status: 'active',
          }),
        ]);
      expect(c.version).toBe(1);
      expect(c.persistedVersion).toBe(0);
      expect(c.state).toMatchObject({ status: 'active', addresses: [], createdAt: NOW, updatedAt: NOW });
    });

    it('keeps the phone and VIP status it is given', () => {
      given()
        .when(() =>
          Customer.register(
            { customerId: ID, name: 'Ada', email: 'a@b.co', phone: '+4930123456', vipStatus: 'gold' },
            ctx,
          ),
        )
        .then([
          ev(CustomerRegisteredEvent.TYPE, 1, {
            name: 'Ada',
            email: 'a@b.co',
            phone: '+4930123456',
            vipStatus: 'gold',
            status: 'active',
          }),
        ]);
    });

    it('refuses a blank name', () => {
      given()
        .when(() => Customer.register({ customerId: ID, name: '   ', email: 'a@b.co' }, ctx))
        .thenThrows(CustomerErrorCode.INVALID_FIELD);
    });
  });

  describe('update profile', () => {
    it('emits the whole profile after the change and which fields changed', () => {
      given(registered())
        .when((c) => c!.updateProfile({ email: 'ADA@new.example', phone: '+15551234567' }, ctx))
        .then([
          ev(CustomerProfileUpdatedEvent.TYPE, 2, {
            name: 'Ada Lovelace',
            email: 'ada@new.example',
            phone: '+15551234567',
            changed: ['email', 'phone'],
          }),
        ]);
    });

    it('emits nothing when the values are the same (email compared lower-cased)', () => {
      const c = given(registered())
        .when((c) => c!.updateProfile({ name: 'Ada Lovelace', email: 'ADA@example.com' }, ctx))
        .thenNothing();
      expect(c.version).toBe(1);
    });

    it('clears the phone with null', () => {
      given(registered({ phone: '+4930123456' }))
        .when((c) => c!.updateProfile({ phone: null }, ctx))
        .then([
          ev(CustomerProfileUpdatedEvent.TYPE, 2, {
            name: 'Ada Lovelace',
            email: 'ada@example.com',
            phone: null,
            changed: ['phone'],
          }),
        ]);
    });

    it('is refused while the customer is suspended', () => {
      given(registered(), suspended(2))
        .when((c) => c!.updateProfile({ name: 'X' }, ctx))
        .thenThrows(CustomerErrorCode.SUSPENDED);
    });

    it('refuses a blank name', () => {
      given(registered())
        .when((c) => c!.updateProfile({ name: ' ' }, ctx))
        .thenThrows(CustomerErrorCode.INVALID_FIELD);
    });
  });

  describe('VIP status', () => {
    it('emits the new and the previous status', () => {
      given(registered())
        .when((c) => c!.setVipStatus('platinum', ctx))
        .then([
          ev(CustomerVipStatusChangedEvent.TYPE, 2, { vipStatus: 'platinum', previousVipStatus: 'none' }),
        ]);
    });

    it('emits nothing when the status is already the one asked for', () => {
      given(registered({ vipStatus: 'gold' }))
        .when((c) => c!.setVipStatus('gold', ctx))
        .thenNothing();
    });

    it('can be changed while the customer is suspended', () => {
      given(registered(), suspended(2))
        .when((c) => c!.setVipStatus('silver', ctx))
        .then([
          ev(CustomerVipStatusChangedEvent.TYPE, 3, { vipStatus: 'silver', previousVipStatus: 'none' }),
        ]);
    });
  });

  describe('suspend / reactivate', () => {
    it('suspends an active customer with a trimmed reason', () => {
      const c = given(registered())
        .when((c) => c!.suspend('  chargeback ', ctx))
        .then([ev(CustomerSuspendedEvent.TYPE, 2, { reason: 'chargeback' })]);
      expect(c.state.status).toBe('suspended');
      expect(c.state.suspendedReason).toBe('chargeback');
    });

    it('stores a blank reason as null', () => {
      given(registered())
        .when((c) => c!.suspend('   ', ctx))
        .then([ev(CustomerSuspendedEvent.TYPE, 2, { reason: null })]);
    });

    it('refuses to suspend a suspended customer', () => {
      given(registered(), suspended(2))
        .when((c) => c!.suspend(null, ctx))
        .thenThrows(CustomerErrorCode.ALREADY_SUSPENDED);
    });

    it('reactivates a suspended customer', () => {
      const c = given(registered(), suspended(2, 'fraud check'))
        .when((c) => c!.reactivate(ctx))
        .then([ev(CustomerReactivatedEvent.TYPE, 3, {})]);
      expect(c.state).toMatchObject({ status: 'active', suspendedReason: null });
    });

    it('refuses to reactivate an active customer', () => {
      given(registered())
        .when((c) => c!.reactivate(ctx))
        .thenThrows(CustomerErrorCode.NOT_SUSPENDED);
    });
  });

  describe('add address', () => {
    const fields = {
      label: ' Home ',
      line1: '1 Main St',
      line2: '  ',
      city: 'Springfield',
      postalCode: '12345',
      country: 'us',
    };

    it('makes the first address the default even when not asked to, normalizing its fields', () => {
      given(registered())
        .when((c) => c!.addAddress(A1, { ...fields, isDefault: false }, ctx))
        .then([ev(AddressAddedEvent.TYPE, 2, address(A1, { isDefault: true }))]);
    });

    it('adds a further address as not default unless asked', () => {
      given(registered(), added(2, address(A1, { isDefault: true })))
        .when((c) => c!.addAddress(A2, { ...fields, label: 'Work', region: 'IL' }, ctx))
        .then([ev(AddressAddedEvent.TYPE, 3, address(A2, { label: 'Work', region: 'IL' }))]);
    });

    it('moves the default: the old default is updated first, then the new one is added', () => {
      const c = given(registered(), added(2, address(A1, { isDefault: true })))
        .when((c) => c!.addAddress(A2, { ...fields, isDefault: true }, ctx))
        .then([
          ev(AddressUpdatedEvent.TYPE, 3, {
            ...address(A1, { isDefault: false, version: 2 }),
            changed: ['isDefault'],
          }),
          ev(AddressAddedEvent.TYPE, 4, address(A2, { isDefault: true })),
        ]);
      expect(c.state.addresses.filter((a) => a.isDefault).map((a) => a.addressId)).toEqual([A2]);
    });

    it(`refuses more than ${MAX_ADDRESSES} addresses`, () => {
      const history = [registered()];
      for (let i = 0; i < MAX_ADDRESSES; i++)
        history.push(added(i + 2, address(`adr_${String(i).padStart(8, '0')}`, { isDefault: i === 0 })));
      given(...history)
        .when((c) => c!.addAddress(A1, fields, ctx))
        .thenThrows(CustomerErrorCode.ADDRESS_LIMIT_REACHED, { limit: MAX_ADDRESSES });
    });

    it('counts only current addresses towards the limit', () => {
      const history = [registered()];
      for (let i = 0; i < MAX_ADDRESSES; i++)
        history.push(added(i + 2, address(`adr_${String(i).padStart(8, '0')}`, { isDefault: i === 0 })));
      history.push(removed(MAX_ADDRESSES + 2, 'adr_00000005'));
      given(...history)
        .when((c) => c!.addAddress(A1, fields, ctx))
        .then([ev(AddressAddedEvent.TYPE, MAX_ADDRESSES + 3, address(A1))]);
    });

    it('refuses an address id the customer already has', () => {
      given(registered(), added(2, address(A1, { isDefault: true })))
        .when((c) => c!.addAddress(A1, fields, ctx))
        .thenThrows(CustomerErrorCode.ADDRESS_ALREADY_EXISTS);
    });

    it('refuses a country that is not two letters', () => {
      given(registered())
        .when((c) => c!.addAddress(A1, { ...fields, country: 'USA' }, ctx))
        .thenThrows(CustomerErrorCode.INVALID_FIELD);
    });

    it('is refused while the customer is suspended', () => {
      given(registered(), suspended(2))
        .when((c) => c!.addAddress(A1, fields, ctx))
        .thenThrows(CustomerErrorCode.SUSPENDED);
    });
  });

  describe('update address', () => {
    it('emits the whole address after the change, the changed fields and the next address version', () => {
      given(...withTwoAddresses())
        .when((c) => c!.updateAddress(A2, { line1: ' 2 Side St ', city: 'Springfield', line2: 'Apt 4' }, ctx))
        .then([
          ev(AddressUpdatedEvent.TYPE, 4, {
            ...address(A2, { label: 'Work', line1: '2 Side St', line2: 'Apt 4', version: 2 }),
            changed: ['line1', 'line2'],
          }),
        ]);
    });

    it('continues from the address version its earlier updates reached', () => {
      given(
        ...withTwoAddresses(),
        updated(4, { ...address(A2, { label: 'Office', version: 2 }), changed: ['label'] }),
      )
        .when((c) => c!.updateAddress(A2, { city: 'Shelbyville' }, ctx))
        .then([
          ev(AddressUpdatedEvent.TYPE, 5, {
            ...address(A2, { label: 'Office', city: 'Shelbyville', version: 3 }),
            changed: ['city'],
          }),
        ]);
    });

    it('emits nothing when nothing changes', () => {
      given(...withTwoAddresses())
        .when((c) => c!.updateAddress(A1, { label: 'Home', isDefault: true }, ctx))
        .thenNothing();
    });

    it('makes it the default: the old default is updated first', () => {
      given(...withTwoAddresses())
        .when((c) => c!.updateAddress(A2, { isDefault: true }, ctx))
        .then([
          ev(AddressUpdatedEvent.TYPE, 4, {
            ...address(A1, { isDefault: false, version: 2 }),
            changed: ['isDefault'],
          }),
          ev(AddressUpdatedEvent.TYPE, 5, {
            ...address(A2, { label: 'Work', isDefault: true, version: 2 }),
            changed: ['isDefault'],
          }),
        ]);
    });

    it('refuses an address the customer does not have (or has removed)', () => {
      given(...withTwoAddresses(), removed(4, A2))
        .when((c) => c!.updateAddress(A2, { label: 'X' }, ctx))
        .thenThrows(CustomerErrorCode.ADDRESS_NOT_FOUND);
      given(...withTwoAddresses())
        .when((c) => c!.updateAddress(A3, { label: 'X' }, ctx))
        .thenThrows(CustomerErrorCode.ADDRESS_NOT_FOUND);
    });

    it('is refused while the customer is suspended', () => {
      given(...withTwoAddresses(), suspended(4))
        .when((c) => c!.updateAddress(A1, { label: 'X' }, ctx))
        .thenThrows(CustomerErrorCode.SUSPENDED);
    });
  });

  describe('remove address', () => {
    it('removes an address that is not the default', () => {
      const c = given(...withTwoAddresses())
        .when((c) => c!.removeAddress(A2, ctx))
        .then([ev(AddressRemovedEvent.TYPE, 4, { addressId: A2 })]);
      expect(c.state.addresses.map((a) => a.addressId)).toEqual([A1]);
    });

    it('removing the default makes the oldest remaining address the default', () => {
      given(...withTwoAddresses(), added(4, address(A3)))
        .when((c) => c!.removeAddress(A1, ctx))
        .then([
          ev(AddressRemovedEvent.TYPE, 5, { addressId: A1 }),
          ev(AddressUpdatedEvent.TYPE, 6, {
            ...address(A2, { label: 'Work', isDefault: true, version: 2 }),
            changed: ['isDefault'],
          }),
        ]);
    });

    it('removing the only address leaves no default', () => {
      const c = given(registered(), added(2, address(A1, { isDefault: true })))
        .when((c) => c!.removeAddress(A1, ctx))
        .then([ev(AddressRemovedEvent.TYPE, 3, { addressId: A1 })]);
      expect(c.state.addresses).toEqual([]);
    });

    it('refuses an address that is already removed', () => {
      given(...withTwoAddresses(), removed(4, A2))
        .when((c) => c!.removeAddress(A2, ctx))
        .thenThrows(CustomerErrorCode.ADDRESS_NOT_FOUND);
    });

    it('is refused while the customer is suspended', () => {
      given(...withTwoAddresses(), suspended(4))
        .when((c) => c!.removeAddress(A2, ctx))
        .thenThrows(CustomerErrorCode.SUSPENDED);
    });
  });

  describe('versions', () => {
    it('a stale expected version is a conflict that reports the current version', () => {
      given(...withTwoAddresses())
        .when((c) => c!.expectVersion(2))
        .thenThrows(CustomerErrorCode.VERSION_CONFLICT, { expectedVersion: 2, currentVersion: 3 });
    });

    it('the current expected version (or none) passes', () => {
      given(...withTwoAddresses())
        .when((c) => {
          c!.expectVersion(3);
          c!.expectVersion(undefined);
        })
        .thenNothing();
    });

    it('a loaded customer remembers the stored version while its version advances per event', () => {
      const c = given(...withTwoAddresses())
        .when((c) => c!.updateAddress(A2, { isDefault: true }, ctx))
        .then([
          ev(AddressUpdatedEvent.TYPE, 4, {
            ...address(A1, { isDefault: false, version: 2 }),
            changed: ['isDefault'],
          }),
          ev(AddressUpdatedEvent.TYPE, 5, {
            ...address(A2, { label: 'Work', isDefault: true, version: 2 }),
            changed: ['isDefault'],
          }),
        ]);
      expect(c.persistedVersion).toBe(3);
      expect(c.version).toBe(5);
    });

    it('pullEvents hands each event out once', () => {
      const c = Customer.fromEvents([registered()]);
      c.setVipStatus('gold', ctx);
      expect(c.pullEvents()).toHaveLength(1);
      expect(c.pullEvents()).toHaveLength(0);
    });
  });
});
