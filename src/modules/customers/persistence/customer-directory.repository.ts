import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { ClientSession, Model } from 'mongoose';
import { WRITE_CONNECTION } from '../../../shared/persistence/connections.js';
import { restartTransaction } from '../../../shared/persistence/restart-transaction.js';
import type { WriteBatch } from '../../../shared/persistence/write-batch.js';
import { addressNotOwned, customerNotFound, customerSuspended } from '../customers.errors.js';
import {
  CustomerDirectory,
  type ActiveCustomerWithAddresses,
  type AddressSnapshot,
  type CustomerSummary,
} from '../customers.public.js';
import { ADDRESSES, type AddressDoc } from './address.schema.js';
import { CUSTOMERS, type CustomerDoc } from './customer.schema.js';

/** What an order copies from an active customer, as of one version of the customer. */
interface KnownCustomer {
  version: number;
  customer: ActiveCustomerWithAddresses['customer'];
  addresses: Map<string, AddressSnapshot>;
}

/** Customers remembered for placing orders (least recently used first out). */
const KNOWN_CUSTOMERS_MAX = 10_000;

/**
 * CustomerDirectory over the write model (see customers.public.ts for the contract). Remembers
 * the active customers it read (with the addresses asked for) by version, so a repeat customer's
 * order is checked by a guard in the order's write batch instead of two reads.
 */
@Injectable()
export class MongoCustomerDirectory extends CustomerDirectory {
  private readonly known = new Map<string, KnownCustomer>();

  constructor(
    @InjectModel(CUSTOMERS, WRITE_CONNECTION) private readonly customers: Model<CustomerDoc>,
    @InjectModel(ADDRESSES, WRITE_CONNECTION) private readonly addresses: Model<AddressDoc>,
  ) {
    super();
  }

  async findCustomer(customerId: string, session?: ClientSession): Promise<CustomerSummary | null> {
    if (typeof customerId !== 'string') return null;
    const doc = await this.customers
      .findOne({ customerId: { $eq: customerId } })
      .session(session ?? null)
      .lean<CustomerDoc>()
      .exec();
    if (!doc) return null;
    return {
      customerId: doc.customerId,
      name: doc.name,
      email: doc.email,
      phone: doc.phone ?? null,
      vipStatus: doc.vipStatus,
      status: doc.status,
      version: doc.version,
    };
  }

  async requireActiveCustomerWithAddresses(
    customerId: string,
    shippingAddressId: string,
    billingAddressId: string,
    session?: ClientSession,
    writes?: WriteBatch,
  ): Promise<ActiveCustomerWithAddresses> {
    const known = writes ? this.known.get(customerId) : undefined;
    const shipping = known?.addresses.get(shippingAddressId);
    const billing = known?.addresses.get(billingAddressId);
    if (writes && known && shipping && billing) {
      this.known.delete(customerId); // most recently used last
      this.known.set(customerId, known);
      // A no-op update that must match: the customer is still active at the version remembered.
      writes.updateOne(
        CUSTOMERS,
        { customerId, version: known.version, status: 'active' },
        { $set: { customerId } },
        () => {
          this.known.delete(customerId);
          return restartTransaction(`customer ${customerId} changed since it was remembered`);
        },
      );
      return { customer: known.customer, shipping, billing };
    }
    const found = await this.readActiveCustomerWithAddresses(
      customerId,
      shippingAddressId,
      billingAddressId,
      session,
    );
    this.remember(found.version, found.answer);
    return found.answer;
  }

  private remember(version: number, answer: ActiveCustomerWithAddresses): void {
    const id = answer.customer.customerId;
    const previous = this.known.get(id);
    const addresses = previous?.version === version ? previous.addresses : new Map<string, AddressSnapshot>();
    addresses.set(answer.shipping.addressId, answer.shipping);
    addresses.set(answer.billing.addressId, answer.billing);
    this.known.delete(id);
    this.known.set(id, { version, customer: answer.customer, addresses });
    if (this.known.size > KNOWN_CUSTOMERS_MAX) {
      const oldest = this.known.keys().next();
      if (!oldest.done) this.known.delete(oldest.value);
    }
  }

  private async readActiveCustomerWithAddresses(
    customerId: string,
    shippingAddressId: string,
    billingAddressId: string,
    session?: ClientSession,
  ): Promise<{ version: number; answer: ActiveCustomerWithAddresses }> {
    const customer = await this.findCustomer(customerId, session);
    if (!customer) throw customerNotFound(String(customerId));
    if (customer.status !== 'active') throw customerSuspended(customerId);
    const wanted = [shippingAddressId, billingAddressId].filter((id) => typeof id === 'string');
    const docs = await this.addresses
      .find({ customerId: { $eq: customerId }, addressId: { $in: wanted }, removedAt: null })
      .session(session ?? null)
      .lean<AddressDoc[]>()
      .exec();
    const pick = (addressId: string, field: string): AddressSnapshot => {
      const doc = docs.find((d) => d.addressId === addressId);
      if (!doc) throw addressNotOwned(customerId, String(addressId), field);
      return toAddressSnapshot(doc);
    };
    const shipping = pick(shippingAddressId, 'shippingAddressId');
    const billing = pick(billingAddressId, 'billingAddressId');
    const { status: _status, version, ...snapshot } = customer;
    return { version, answer: { customer: snapshot, shipping, billing } };
  }
}

export function toAddressSnapshot(doc: AddressDoc): AddressSnapshot {
  return {
    addressId: doc.addressId,
    label: doc.label,
    line1: doc.line1,
    line2: doc.line2 ?? null,
    city: doc.city,
    region: doc.region ?? null,
    postalCode: doc.postalCode,
    country: doc.country,
  };
}
