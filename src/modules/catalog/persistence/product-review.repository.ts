import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { ClientSession, Model } from 'mongoose';
import { WRITE_CONNECTION } from '../../../shared/persistence/connections.js';
import { alreadyReviewed } from '../catalog.errors.js';
import { PRODUCT_REVIEWS, type ProductReviewDoc } from './product-review.schema.js';
import { duplicateKeyOf } from './product.repository.js';

/** Reviews of products, in the caller's session. */
@Injectable()
export class ProductReviewRepository implements OnModuleInit {
  constructor(
    @InjectModel(PRODUCT_REVIEWS, WRITE_CONNECTION) private readonly model: Model<ProductReviewDoc>,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.model.init();
  }

  async exists(productId: string, customerId: string, session: ClientSession | null): Promise<boolean> {
    const found = await this.model
      .exists({ productId: { $eq: productId }, customerId: { $eq: customerId } })
      .session(session)
      .exec();
    return found !== null;
  }

  /** 409 CATALOG.ALREADY_REVIEWED when the unique (productId, customerId) index refuses it. */
  async insert(review: ProductReviewDoc, session: ClientSession): Promise<void> {
    try {
      await this.model.create([review], { session });
    } catch (e) {
      if (duplicateKeyOf(e)) throw alreadyReviewed(review.productId, review.customerId);
      throw e;
    }
  }
}
