import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { ClientSession, Model } from 'mongoose';
import { WRITE_CONNECTION } from '../../../shared/persistence/connections.js';
import { addressNotOwned, customerNotFound, customerSuspended } from '../customers.errors.js';
import {
  CustomerDirectory,
  type ActiveCustomerWithAddresses,
  type AddressSnapshot,
  type CustomerSummary,
} from '../customers.public.js';
import { ADDRESSES, type AddressDoc } from './address.schema.js';
import { CUSTOMERS, type CustomerDoc } from './customer.schema.js';

/** CustomerDirectory over the write model (see customers.public.ts for the contract). */
@Injectable()
export class MongoCustomerDirectory extends CustomerDirectory {
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
  ): Promise<ActiveCustomerWithAddresses> {
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
    const { status: _status, version: _version, ...snapshot } = customer;
    return { customer: snapshot, shipping, billing };
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
