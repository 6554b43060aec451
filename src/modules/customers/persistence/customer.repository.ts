/**
 * Loads and saves the Customer aggregate (documents in `customers` + `addresses`), always with the
 * command's session. Saving is guarded by the version the customer was loaded at
 * (`updateOne({ customerId, version: loaded })`); no match = 409 CUSTOMERS.VERSION_CONFLICT with
 * the current version. Every filter compares with `$eq`, so a value can never act as an operator.
 */
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { ClientSession, Model } from 'mongoose';
import type { DomainEvent } from '../../../shared/events/domain-event.js';
import type { CommandOutcome } from '../../../shared/persistence/unit-of-work.js';
import { WRITE_CONNECTION } from '../../../shared/persistence/connections.js';
import {
  Customer,
  type AddressState,
  type CustomerEvent,
  type CustomerState,
} from '../domain/customer.aggregate.js';
import { AddressAddedEvent } from '../domain/events/address-added.event.js';
import { AddressRemovedEvent } from '../domain/events/address-removed.event.js';
import { AddressUpdatedEvent } from '../domain/events/address-updated.event.js';
import {
  addressAlreadyExists,
  customerAlreadyExists,
  customerNotFound,
  emailTaken,
  versionConflict,
} from '../customers.errors.js';
import { ADDRESSES, type AddressDoc } from './address.schema.js';
import { CUSTOMERS, type CustomerDoc } from './customer.schema.js';

/** What every customers command returns through the CommandBus. */
export interface CustomerCommandResult {
  customerId: string;
  /** The customer's version after the command (unchanged when the command changed nothing). */
  version: number;
  /** The address the command created or changed, for address commands. */
  addressId?: string;
}

interface DuplicateKeyError {
  code: 11000;
  message: string;
  keyPattern?: Record<string, unknown>;
}

function isDuplicateKey(e: unknown): e is DuplicateKeyError {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 11000;
}

/** The field of the unique index a duplicate-key error names. */
function duplicateField(e: DuplicateKeyError): string | undefined {
  if (e.keyPattern) return Object.keys(e.keyPattern)[0];
  return /index: (\w+?)_1/.exec(String(e.message))?.[1];
}

@Injectable()
export class CustomerRepository {
  constructor(
    @InjectModel(CUSTOMERS, WRITE_CONNECTION) private readonly customers: Model<CustomerDoc>,
    @InjectModel(ADDRESSES, WRITE_CONNECTION) private readonly addresses: Model<AddressDoc>,
  ) {}

  /** The customer with their current addresses; 404 CUSTOMERS.NOT_FOUND when there is none. */
  async load(customerId: string, session: ClientSession): Promise<Customer> {
    const doc = await this.customers
      .findOne({ customerId: { $eq: customerId } })
      .session(session)
      .lean<CustomerDoc>()
      .exec();
    if (!doc) throw customerNotFound(customerId);
    const addresses = await this.addresses
      .find({ customerId: { $eq: customerId }, removedAt: { $eq: null } })
      .sort({ addedInVersion: 1 })
      .session(session)
      .lean<AddressDoc[]>()
      .exec();
    return Customer.rehydrate(toState(doc, addresses));
  }

  async exists(customerId: string, session: ClientSession): Promise<boolean> {
    const n = await this.customers.countDocuments({ customerId: { $eq: customerId } }, { session }).exec();
    return n > 0;
  }

  /** 409 CUSTOMERS.EMAIL_TAKEN when another customer has this (normalized) email. */
  async assertEmailFree(email: string, customerId: string, session: ClientSession): Promise<void> {
    const other = await this.customers
      .findOne({ email: { $eq: email }, customerId: { $ne: customerId } }, { customerId: 1 })
      .session(session)
      .lean<Pick<CustomerDoc, 'customerId'>>()
      .exec();
    if (other) throw emailTaken(email);
  }

  /**
   * Saves what the customer's pending events changed and returns them with the result, in the
   * shape UnitOfWork.run expects (the events go to domain_events in the same transaction).
   */
  async commit(
    customer: Customer,
    session: ClientSession,
    addressId?: string,
  ): Promise<CommandOutcome<CustomerCommandResult>> {
    const events = customer.pullEvents();
    if (events.length > 0) await this.save(customer, events, session);
    return {
      result: { customerId: customer.id, version: customer.version, ...(addressId ? { addressId } : {}) },
      events: events as DomainEvent<object>[],
    };
  }

  private async save(customer: Customer, events: CustomerEvent[], session: ClientSession): Promise<void> {
    const s = customer.state;
    const fields = {
      name: s.name,
      email: s.email,
      phone: s.phone,
      vipStatus: s.vipStatus,
      status: s.status,
      suspendedReason: s.suspendedReason,
      version: s.version,
      updatedAt: s.updatedAt,
    };
    try {
      if (customer.persistedVersion === 0) {
        await this.customers.create([{ customerId: s.customerId, createdAt: s.createdAt, ...fields }], {
          session,
        });
      } else {
        const r = await this.customers
          .updateOne(
            { customerId: { $eq: s.customerId }, version: { $eq: customer.persistedVersion } },
            { $set: fields },
            { session },
          )
          .exec();
        if (r.matchedCount === 0) await this.throwStale(customer, session);
      }
      await this.saveAddresses(customer, events, session);
    } catch (e) {
      if (isDuplicateKey(e)) {
        const field = duplicateField(e);
        if (field === 'email') throw emailTaken(s.email);
        if (field === 'customerId') throw customerAlreadyExists(s.customerId);
        if (field === 'addressId') {
          const added = events.find((x): x is AddressAddedEvent => x instanceof AddressAddedEvent);
          throw addressAlreadyExists(added?.payload.addressId ?? 'unknown');
        }
      }
      throw e;
    }
  }

  private async throwStale(customer: Customer, session: ClientSession): Promise<never> {
    const current = await this.customers
      .findOne({ customerId: { $eq: customer.id } }, { version: 1 })
      .session(session)
      .lean<Pick<CustomerDoc, 'version'>>()
      .exec();
    if (!current) throw customerNotFound(customer.id);
    throw versionConflict(customer.id, customer.persistedVersion, current.version);
  }

  /** Each address an event touched, written once in its final state. */
  private async saveAddresses(
    customer: Customer,
    events: CustomerEvent[],
    session: ClientSession,
  ): Promise<void> {
    const customerId = customer.id;
    const addedIn = new Map<string, number>();
    const removedAt = new Map<string, Date>();
    const touched = new Set<string>();
    for (const e of events) {
      if (e instanceof AddressAddedEvent) {
        addedIn.set(e.payload.addressId, e.aggregateVersion);
        touched.add(e.payload.addressId);
      } else if (e instanceof AddressUpdatedEvent) touched.add(e.payload.addressId);
      else if (e instanceof AddressRemovedEvent) {
        removedAt.set(e.payload.addressId, e.occurredAt);
        touched.add(e.payload.addressId);
      }
    }
    for (const addressId of touched) {
      const a = customer.state.addresses.find((x) => x.addressId === addressId);
      if (!a) {
        const at = removedAt.get(addressId);
        if (at === undefined || addedIn.has(addressId)) continue;
        await this.addresses
          .updateOne(
            { addressId: { $eq: addressId }, customerId: { $eq: customerId }, removedAt: { $eq: null } },
            { $set: { removedAt: at, updatedAt: at, isDefault: false } },
            { session },
          )
          .exec();
        continue;
      }
      const added = addedIn.get(addressId);
      if (added !== undefined) {
        await this.addresses.create(
          [{ ...addressFields(a), customerId, addedInVersion: added, removedAt: null }],
          {
            session,
          },
        );
      } else {
        await this.addresses
          .updateOne(
            { addressId: { $eq: addressId }, customerId: { $eq: customerId } },
            { $set: addressFields(a) },
            { session },
          )
          .exec();
      }
    }
  }
}

function addressFields(a: AddressState): Omit<AddressDoc, 'customerId' | 'addedInVersion' | 'removedAt'> {
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
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

function toState(doc: CustomerDoc, addresses: AddressDoc[]): CustomerState {
  return {
    customerId: doc.customerId,
    name: doc.name,
    email: doc.email,
    phone: doc.phone ?? null,
    vipStatus: doc.vipStatus,
    status: doc.status,
    suspendedReason: doc.suspendedReason ?? null,
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    addresses: addresses.map((a) => ({
      addressId: a.addressId,
      label: a.label,
      line1: a.line1,
      line2: a.line2 ?? null,
      city: a.city,
      region: a.region ?? null,
      postalCode: a.postalCode,
      country: a.country,
      isDefault: a.isDefault,
      version: a.version,
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
    })),
  };
}
