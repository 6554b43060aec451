/**
 * InventoryService (catalog.public.ts) over the Product aggregate: the orders context's way to
 * reserve, release and consume stock inside its own transaction. Every line is checked before any
 * product changes, so an error leaves nothing half done even before the transaction aborts; the
 * saves are guarded by the version each product was read at.
 *
 * Given the transaction's write batch, the service remembers the state of the products it wrote
 * (after the commit) and read, and a later movement starts from that state instead of reading the
 * products: the save's version guard is then the read. If a product changed meanwhile (another
 * instance, or a command that does not queue on the product lock), the guard fails and the
 * transaction starts over with the products read from the database. A movement the remembered
 * state refuses (out of stock, discontinued, not reserved) is re-checked against a fresh read
 * before it is refused.
 */
import { Injectable } from '@nestjs/common';
import type { ClientSession } from 'mongoose';
import type { DomainEvent } from '../../../shared/events/domain-event.js';
import { AppError } from '../../../shared/errors/app-error.js';
import { restartTransaction } from '../../../shared/persistence/restart-transaction.js';
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
import { MAX_STOCK, Product, type ProductState } from '../domain/product.aggregate.js';
import { ProductRepository, stageProductSave } from '../persistence/product.repository.js';

type MoveContext = { correlationId: string; now: Date };

/** Whether every line can be reserved from the loaded products as they are (no change made). */
function reservable({ lines, products }: Loaded): boolean {
  return lines.every((l) => {
    const p = products.get(l.productId);
    return p !== undefined && p.state.status === 'active' && p.state.inventory.quantity >= l.quantity;
  });
}

/** Whether `move` accepts every line on copies of the loaded products. */
function movable(
  { lines, products }: Loaded,
  move: (p: Product, n: number, ctx: MoveContext) => void,
): boolean {
  const ctx = { correlationId: 'check', now: new Date() };
  try {
    for (const l of lines)
      move(Product.fromState((products.get(l.productId) as Product).state), l.quantity, ctx);
    return true;
  } catch (e) {
    if (e instanceof AppError) return false;
    throw e;
  }
}

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

/** Product states remembered (least recently used first out). */
const KNOWN_PRODUCTS_MAX = 20_000;

type Loaded = { lines: StockLine[]; products: Map<string, Product>; remembered: boolean };

@Injectable()
export class ProductInventoryService extends InventoryService {
  private readonly known = new Map<string, ProductState>();

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
    let loaded = await this.load(items, session, writes);
    if (loaded.remembered && !reservable(loaded)) loaded = await this.load(items, session);
    const { lines, products } = loaded;
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
      loaded,
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
    const move = (p: Product, n: number, ctx: MoveContext): void => p.release(n, context.orderId, ctx);
    let loaded = await this.load(items, session, writes);
    if (loaded.remembered && !movable(loaded, move)) loaded = await this.load(items, session);
    return { events: await this.apply(loaded, session, move, context, writes) };
  }

  async consume(
    items: StockLine[],
    session: ClientSession,
    context: StockContext,
    writes?: WriteBatch,
  ): Promise<StockChange> {
    const move = (p: Product, n: number, ctx: MoveContext): void => p.consume(n, context.orderId, ctx);
    let loaded = await this.load(items, session, writes);
    if (loaded.remembered && !movable(loaded, move)) loaded = await this.load(items, session);
    return { events: await this.apply(loaded, session, move, context, writes) };
  }

  /** The lines' products: remembered ones when `writes` is given and all are known, else read. */
  private async load(items: StockLine[], session: ClientSession, writes?: WriteBatch): Promise<Loaded> {
    const lines = mergeLines(items);
    if (writes) {
      const states = lines.map((l) => this.known.get(l.productId));
      if (states.every((st) => st !== undefined)) {
        const products = new Map(states.map((st) => [st.productId, Product.fromState(st)]));
        return { lines, products, remembered: true };
      }
    }
    const products = await this.products.findMany(
      lines.map((l) => l.productId),
      session,
    );
    const missing = lines.filter((l) => !products.has(l.productId)).map((l) => l.productId);
    if (missing.length > 0) throw productNotFound(missing);
    for (const p of products.values()) this.remember(p.state);
    return { lines, products, remembered: false };
  }

  private remember(state: Readonly<ProductState>): void {
    const current = this.known.get(state.productId);
    if (current && current.version > state.version) return;
    this.known.delete(state.productId);
    this.known.set(state.productId, structuredClone(state));
    if (this.known.size > KNOWN_PRODUCTS_MAX) {
      const oldest = this.known.keys().next();
      if (!oldest.done) this.known.delete(oldest.value);
    }
  }

  /**
   * Runs the movement on every product first (all rules), then saves them all: staged in `writes`
   * when given (sent with the command's other writes; remembered once committed), else one update
   * each.
   */
  private async apply(
    { lines, products, remembered }: Loaded,
    session: ClientSession,
    move: (p: Product, n: number, ctx: MoveContext) => void,
    context: StockContext,
    writes: WriteBatch | undefined,
  ): Promise<DomainEvent<object>[]> {
    const ctx = { correlationId: context.correlationId, now: new Date() };
    for (const l of lines) move(products.get(l.productId) as Product, l.quantity, ctx);
    const events: DomainEvent<object>[] = [];
    for (const l of lines) {
      const product = products.get(l.productId) as Product;
      if (!writes) {
        events.push(...(await this.products.save(product, session)));
        continue;
      }
      const stale = (): Error => {
        this.known.delete(product.productId);
        return restartTransaction(`product ${product.productId} changed since it was remembered`);
      };
      events.push(
        ...(remembered ? stageProductSave(product, writes, stale) : stageProductSave(product, writes)),
      );
      const after = structuredClone(product.state);
      writes.afterCommit(() => this.remember(after));
    }
    return events;
  }
}
