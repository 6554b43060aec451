import { Schema } from 'mongoose';
import { CUSTOMER_STATUSES, VIP_STATUSES, type CustomerStatus, type VipStatus } from '../customers.public.js';

/**
 * `customers` (write model): one document per customer. `version` is the aggregate version (the
 * number of events the customer has produced, address events included) and the optimistic lock:
 * every save is `updateOne({ customerId, version: loaded }, ...)`.
 */
export const CUSTOMERS = 'customers';

export interface CustomerDoc {
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
}

export const CustomerSchema = new Schema<CustomerDoc>(
  {
    customerId: { type: String, required: true },
    name: { type: String, required: true },
    email: { type: String, required: true },
    phone: { type: String, default: null },
    vipStatus: { type: String, enum: VIP_STATUSES, required: true },
    status: { type: String, enum: CUSTOMER_STATUSES, required: true },
    suspendedReason: { type: String, default: null },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: CUSTOMERS, versionKey: false, strict: 'throw' },
);
CustomerSchema.index({ customerId: 1 }, { unique: true });
CustomerSchema.index({ email: 1 }, { unique: true });
