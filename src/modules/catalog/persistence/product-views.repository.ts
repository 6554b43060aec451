import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { ClientSession, Model } from 'mongoose';
import { WRITE_CONNECTION } from '../../../shared/persistence/connections.js';
import { versionConflict } from '../catalog.errors.js';
import type { ProductViewsRecordedEvent } from '../domain/events/product-views-recorded.event.js';
import { ProductViews } from '../domain/product-views.aggregate.js';
import { PRODUCT_VIEW_COUNTS, type ProductViewCountDoc } from './product-view-count.schema.js';

/** Loads and saves ProductViews counters (see ProductRepository for the save contract). */
@Injectable()
export class ProductViewsRepository implements OnModuleInit {
  constructor(
    @InjectModel(PRODUCT_VIEW_COUNTS, WRITE_CONNECTION) private readonly model: Model<ProductViewCountDoc>,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.model.init();
  }

  async load(productId: string, session: ClientSession | null): Promise<ProductViews> {
    const doc = await this.model
      .findOne({ productId: { $eq: productId } })
      .session(session)
      .lean<ProductViewCountDoc>()
      .exec();
    return doc
      ? ProductViews.fromState({
          productId: doc.productId,
          totalViews: doc.totalViews,
          version: doc.version,
          updatedAt: doc.updatedAt,
        })
      : ProductViews.empty(productId);
  }

  async save(views: ProductViews, session: ClientSession): Promise<ProductViewsRecordedEvent[]> {
    const events = views.pullEvents();
    if (events.length === 0) return events;
    const { productId, totalViews, version, updatedAt } = views.state;
    // Version 0 = no document yet: the upsert inserts it; a concurrent first insert loses on the
    // unique index (retried by the transaction) rather than double counting.
    const res = await this.model
      .updateOne(
        { productId: { $eq: productId }, version: { $eq: views.storedVersion } },
        { $set: { totalViews, version, updatedAt } },
        { session, upsert: views.storedVersion === 0 },
      )
      .exec();
    if (res.matchedCount !== 1 && res.upsertedCount !== 1) {
      const current = await this.model
        .findOne({ productId: { $eq: productId } }, { version: 1 })
        .session(session)
        .lean<{ version: number }>()
        .exec();
      throw versionConflict(productId, views.storedVersion, current?.version ?? 0);
    }
    return events;
  }
}
