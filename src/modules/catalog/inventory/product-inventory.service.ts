/**
 * InventoryService (catalog.public.ts) over the Product aggregate: the orders context's way to
 * reserve, release and consume stock inside its own transaction. Every line is checked before any
 * product changes, so an error leaves nothing half done even before the transaction aborts; the
 * saves are guarded by the version each product was read at.
 */
import { Injectable } from '@nestjs/common';
import type { ClientSession } from 'mongoose';
import type { DomainEvent } from '../../../shared/events/domain-event.js';
import type { WriteBatch } from '../../../shared/persistence/write-batch.js';
import {
  invalidQuantity,
  outOfStock,
  productDiscontinued,
  productNotFound,
  type OutOfStockLine,
} from '../catalog.errors.js';
import {
  InventoryService,
  type Reservation,
  type StockChange,
  type StockContext,
  type StockLine,
} from '../catalog.public.js';
import type { Product } from '../domain/product.aggregate.js';
import { MAX_STOCK } from '../domain/product.aggregate.js';
import { ProductRepository, stageProductSave } from '../persistence/product.repository.js';

/** Lines of the same product merged, in order of first appearance; quantities validated. */
function mergeLines(items: StockLine[]): StockLine[] {
  const merged = new Map<string, number>();
  for (const item of items) {
    const { productId, quantity } = item ?? {};
    if (typeof productId !== 'string') throw productNotFound(String(productId));
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_STOCK)
      throw invalidQuantity(productId, quantity);
    merged.set(productId, (merged.get(productId) ?? 0) + quantity);
  }
  return [...merged].map(([productId, quantity]) => ({ productId, quantity }));
}

@Injectable()
export class ProductInventoryService extends InventoryService {
  constructor(private readonly products: ProductRepository) {
    super();
  }

  async couldReserve(items: StockLine[]): Promise<boolean> {
    let lines: StockLine[];
    try {
      lines = mergeLines(items);
    } catch {
      return true;
    }
    const products = await this.products.findMany(
      lines.map((l) => l.productId),
      null,
    );
    return lines.every((l) => {
      const p = products.get(l.productId);
      return p !== undefined && p.state.status === 'active' && p.state.inventory.quantity >= l.quantity;
    });
  }

  async reserve(
    items: StockLine[],
    session: ClientSession,
    context: StockContext,
    writes?: WriteBatch,
  ): Promise<Reservation> {
    const { lines, products } = await this.load(items, session);
    const discontinued = lines.filter((l) => products.get(l.productId)?.state.status !== 'active');
    if (discontinued.length > 0) throw productDiscontinued(discontinued.map((l) => l.productId));
    const short: OutOfStockLine[] = [];
    for (const l of lines) {
      const available = (products.get(l.productId) as Product).state.inventory.quantity;
      if (l.quantity > available) short.push({ productId: l.productId, requested: l.quantity, available });
    }
    if (short.length > 0) throw outOfStock(short);
    const snapshots = lines.map((l) => (products.get(l.productId) as Product).snapshot());
    const events = await this.apply(
      lines,
      products,
      session,
      (p, n, ctx) => p.reserve(n, context.orderId, ctx),
      context,
      writes,
    );
    return { snapshots, events };
  }

  async release(
    items: StockLine[],
    session: ClientSession,
    context: StockContext,
    writes?: WriteBatch,
  ): Promise<StockChange> {
    const { lines, products } = await this.load(items, session);
    return {
      events: await this.apply(
        lines,
        products,
        session,
        (p, n, ctx) => p.release(n, context.orderId, ctx),
        context,
        writes,
      ),
    };
  }

  async consume(
    items: StockLine[],
    session: ClientSession,
    context: StockContext,
    writes?: WriteBatch,
  ): Promise<StockChange> {
    const { lines, products } = await this.load(items, session);
    return {
      events: await this.apply(
        lines,
        products,
        session,
        (p, n, ctx) => p.consume(n, context.orderId, ctx),
        context,
        writes,
      ),
    };
  }

  private async load(
    items: StockLine[],
    session: ClientSession,
  ): Promise<{ lines: StockLine[]; products: Map<string, Product> }> {
    const lines = mergeLines(items);
    const products = await this.products.findMany(
      lines.map((l) => l.productId),
      session,
    );
    const missing = lines.filter((l) => !products.has(l.productId)).map((l) => l.productId);
    if (missing.length > 0) throw productNotFound(missing);
    return { lines, products };
  }

  /**
   * Runs the movement on every product first (all rules), then saves them all: staged in `writes`
   * when given (sent with the command's other writes), else one update each.
   */
  private async apply(
    lines: StockLine[],
    products: Map<string, Product>,
    session: ClientSession,
    move: (p: Product, n: number, ctx: { correlationId: string; now: Date }) => void,
    context: StockContext,
    writes: WriteBatch | undefined,
  ): Promise<DomainEvent<object>[]> {
    const ctx = { correlationId: context.correlationId, now: new Date() };
    for (const l of lines) move(products.get(l.productId) as Product, l.quantity, ctx);
    const events: DomainEvent<object>[] = [];
    for (const l of lines) {
      const product = products.get(l.productId) as Product;
      events.push(
        ...(writes ? stageProductSave(product, writes) : await this.products.save(product, session)),
      );
    }
    return events;
  }
}
