import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { ClientSession, Model } from 'mongoose';
import { WRITE_CONNECTION } from '../../../shared/persistence/connections.js';
import { DELIVERED_PURCHASES, type DeliveredPurchaseDoc } from './delivered-purchase.schema.js';

/** Who received what (see delivered-purchase.schema.ts). */
@Injectable()
export class DeliveredPurchaseRepository implements OnModuleInit {
  constructor(
    @InjectModel(DELIVERED_PURCHASES, WRITE_CONNECTION) private readonly model: Model<DeliveredPurchaseDoc>,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.model.init();
  }

  async hasReceived(customerId: string, productId: string, session: ClientSession | null): Promise<boolean> {
    const found = await this.model
      .exists({ customerId: { $eq: customerId }, productId: { $eq: productId } })
      .session(session)
      .exec();
    return found !== null;
  }

  /** Idempotent: recording the same order again changes nothing. */
  async record(
    customerId: string,
    productIds: string[],
    orderId: string,
    deliveredAt: Date,
    session: ClientSession,
  ): Promise<void> {
    for (const productId of new Set(productIds)) {
      await this.model
        .updateOne(
          { customerId: { $eq: customerId }, productId: { $eq: productId } },
          { $addToSet: { orderIds: orderId }, $setOnInsert: { firstDeliveredAt: deliveredAt } },
          { session, upsert: true },
        )
        .exec();
    }
  }
}
