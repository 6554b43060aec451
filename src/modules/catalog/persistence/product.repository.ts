import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Decimal128 } from 'mongodb';
import type { ClientSession, Model } from 'mongoose';
import { WRITE_CONNECTION } from '../../../shared/persistence/connections.js';
import type { WriteBatch } from '../../../shared/persistence/write-batch.js';
import { duplicateSku, productExists, productNotFound, versionConflict } from '../catalog.errors.js';
import { Product, type ProductEvent, type ProductState } from '../domain/product.aggregate.js';
import { PRODUCTS, type ProductDoc } from './product.schema.js';

/** A MongoDB duplicate-key error (E11000), as the driver reports it. */
export function duplicateKeyOf(e: unknown): Record<string, unknown> | undefined {
  if (typeof e !== 'object' || e === null || (e as { code?: unknown }).code !== 11000) return undefined;
  const { keyPattern, keyValue } = e as {
    keyPattern?: Record<string, unknown>;
    keyValue?: Record<string, unknown>;
  };
  return keyPattern ?? keyValue ?? {};
}

/**
 * Loads and saves Product aggregates in the caller's session. Saving writes the state the pending
 * events produced and returns those events for the UnitOfWork to append; the update is guarded by
 * the version the product was loaded at, so a concurrent save can never be overwritten.
 */
@Injectable()
export class ProductRepository implements OnModuleInit {
  constructor(@InjectModel(PRODUCTS, WRITE_CONNECTION) private readonly model: Model<ProductDoc>) {}

  /** Creates the collection and its indexes before the first command runs. */
  async onModuleInit(): Promise<void> {
    await this.model.init();
  }

  async find(productId: string, session: ClientSession | null): Promise<Product | null> {
    if (typeof productId !== 'string') return null;
    const doc = await this.model
      .findOne({ productId: { $eq: productId } })
      .session(session)
      .lean<ProductDoc>()
      .exec();
    return doc ? Product.fromState(toState(doc)) : null;
  }

  async require(productId: string, session: ClientSession | null): Promise<Product> {
    const product = await this.find(productId, session);
    if (!product) throw productNotFound(productId);
    return product;
  }

  /** The products that exist among `productIds`, by id. */
  async findMany(productIds: string[], session: ClientSession | null): Promise<Map<string, Product>> {
    const ids = productIds.filter((id) => typeof id === 'string');
    const docs = await this.model
      .find({ productId: { $in: ids } })
      .session(session)
      .lean<ProductDoc[]>()
      .exec();
    return new Map(docs.map((d) => [d.productId, Product.fromState(toState(d))]));
  }

  async exists(productId: string): Promise<boolean> {
    const found = await this.model.exists({ productId: { $eq: productId } }).exec();
    return found !== null;
  }

  async skuTaken(sku: string, session: ClientSession | null): Promise<boolean> {
    const found = await this.model
      .exists({ sku: { $eq: sku } })
      .session(session)
      .exec();
    return found !== null;
  }

  /**
   * Writes the product's pending events' result and returns the events (empty: nothing written).
   * 409 CATALOG.DUPLICATE_SKU / PRODUCT_EXISTS for a new product that collides; 409
   * CATALOG.VERSION_CONFLICT when the stored version moved since load.
   */
  async save(product: Product, session: ClientSession): Promise<ProductEvent[]> {
    const events = product.pullEvents();
    if (events.length === 0) return events;
    const doc = toDoc(product.state);
    if (product.storedVersion === 0) {
      try {
        await this.model.create([doc], { session });
      } catch (e) {
        const key = duplicateKeyOf(e);
        if (key && 'sku' in key) throw duplicateSku(doc.sku);
        if (key) throw productExists(doc.productId);
        throw e;
      }
      return events;
    }
    const { productId, createdAt: _createdAt, ...changes } = doc;
    const res = await this.model
      .updateOne(
        { productId: { $eq: productId }, version: { $eq: product.storedVersion } },
        { $set: changes },
        { session, runValidators: true },
      )
      .exec();
    if (res.matchedCount !== 1) {
      const current = await this.model
        .findOne({ productId: { $eq: productId } }, { version: 1 })
        .session(session)
        .lean<{ version: number }>()
        .exec();
      if (!current) throw productNotFound(productId);
      throw versionConflict(productId, product.storedVersion, current.version);
    }
    return events;
  }
}

/**
 * Stages the save of an existing product in the transaction's write batch (sent with the command's
 * other writes in one round trip) and returns its events. Guarded like `save`: the update must
 * match the version the product was loaded at. In the snapshot transaction a concurrent save shows
 * up as a write conflict (the command is retried); a non-match is a 409 CATALOG.VERSION_CONFLICT.
 */
export function stageProductSave(
  product: Product,
  writes: WriteBatch,
  onNoMatch: () => Error = () => versionConflict(product.productId, product.storedVersion, product.version),
): ProductEvent[] {
  const events = product.pullEvents();
  if (events.length === 0) return events;
  if (product.storedVersion === 0) throw new Error('stageProductSave saves existing products only');
  const { productId, createdAt: _createdAt, ...changes } = toDoc(product.state);
  writes.updateOne(PRODUCTS, { productId, version: product.storedVersion }, { $set: changes }, onNoMatch);
  return events;
}

export function toState(doc: ProductDoc): ProductState {
  return {
    productId: doc.productId,
    sku: doc.sku,
    name: doc.name,
    description: doc.description ?? '',
    brand: doc.brand,
    category: [...doc.category],
    price: doc.price.toString(),
    currency: doc.currency,
    images: [...(doc.images ?? [])],
    features: [...(doc.features ?? [])],
    status: doc.status,
    inventory: { quantity: doc.inventory.quantity, reserved: doc.inventory.reserved },
    ratings: { count: doc.ratings?.count ?? 0, sum: doc.ratings?.sum ?? 0 },
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function toDoc(state: ProductState): ProductDoc {
  return {
    productId: state.productId,
    sku: state.sku,
    name: state.name,
    description: state.description,
    brand: state.brand,
    category: [...state.category],
    price: Decimal128.fromString(state.price),
    currency: state.currency,
    images: [...state.images],
    features: [...state.features],
    status: state.status,
    inventory: { ...state.inventory },
    ratings: { ...state.ratings },
    version: state.version,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}
