import { Schema } from 'mongoose';

/**
 * `addresses` (write model): one document per address, part of its customer's aggregate (address
 * changes bump the customer's version). Removal is a soft delete (`removedAt`): orders keep
 * referring to the ids of the addresses they were shipped to. `version` counts this address's own
 * changes (1 when added); `addedInVersion` is the customer version whose event added it, which
 * orders a customer's addresses exactly as the events do (oldest first).
 */
export const ADDRESSES = 'addresses';

export interface AddressDoc {
  addressId: string;
  customerId: string;
  label: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
  isDefault: boolean;
  version: number;
  addedInVersion: number;
  createdAt: Date;
  updatedAt: Date;
  removedAt: Date | null;
}

export const AddressSchema = new Schema<AddressDoc>(
  {
    addressId: { type: String, required: true },
    customerId: { type: String, required: true },
    label: { type: String, required: true },
    line1: { type: String, required: true },
    line2: { type: String, default: null },
    city: { type: String, required: true },
    region: { type: String, default: null },
    postalCode: { type: String, required: true },
    country: { type: String, required: true },
    isDefault: { type: Boolean, required: true },
    version: { type: Number, required: true },
    addedInVersion: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    removedAt: { type: Date, default: null },
  },
  { collection: ADDRESSES, versionKey: false, strict: 'throw' },
);
AddressSchema.index({ addressId: 1 }, { unique: true });
AddressSchema.index({ customerId: 1, addedInVersion: 1 });
