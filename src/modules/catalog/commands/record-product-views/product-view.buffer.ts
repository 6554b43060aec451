/**
 * Product views are frequent and individually worthless, so a view costs no database write: the
 * HTTP request only counts it in memory. The buffer is flushed every VIEW_FLUSH_INTERVAL_MS, as soon
 * as VIEW_FLUSH_BATCH_SIZE views are waiting, and when the application shuts down, as one
 * RecordProductViewsCommand (one transaction, one event) per product.
 *
 * Accepted loss: views counted by a process that dies without shutting down (SIGKILL, crash) since
 * its last flush. A flush that fails for another reason than "no such product" puts its counts
 * back for the next flush.
 *
 * Existence is checked once per product and process (products are never deleted, so a positive
 * answer never goes stale): after the first view of a product, recording one is pure memory.
 */
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../../../../config/env.js';
import { APP_CONFIG } from '../../../../shared/config.module.js';
import { AppError } from '../../../../shared/errors/app-error.js';
import { CatalogErrorCode, productNotFound } from '../../catalog.errors.js';
import { ProductRepository } from '../../persistence/product.repository.js';
import { RecordProductViewsCommand } from './record-product-views.command.js';

/** Bound on the known-products memo (ids only; cleared when full). */
const KNOWN_PRODUCTS_LIMIT = 100_000;
/** Products flushed in parallel. */
const FLUSH_CONCURRENCY = 8;

@Injectable()
export class ProductViewBuffer implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('ProductViewBuffer');
  private counts = new Map<string, number>();
  private waiting = 0;
  private readonly known = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly commandBus: CommandBus,
    private readonly products: ProductRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.viewFlushIntervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Counts one view. 404 CATALOG.PRODUCT_NOT_FOUND for an unknown product. */
  async record(productId: string): Promise<void> {
    if (!this.known.has(productId)) {
      if (!(await this.products.exists(productId))) throw productNotFound(productId);
      if (this.known.size >= KNOWN_PRODUCTS_LIMIT) this.known.clear();
      this.known.add(productId);
    }
    this.add(productId, 1);
    if (this.waiting >= this.config.viewFlushBatchSize) void this.flush();
  }

  /** Views counted and not yet flushed. */
  get pending(): number {
    return this.waiting;
  }

  /** Flushes what is buffered now; flushes run one after the other. Never rejects. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow());
    return this.flushing;
  }

  private add(productId: string, n: number): void {
    this.counts.set(productId, (this.counts.get(productId) ?? 0) + n);
    this.waiting += n;
  }

  private async flushNow(): Promise<void> {
    if (this.counts.size === 0) return;
    const batch = [...this.counts];
    this.counts = new Map();
    this.waiting = 0;
    const correlationId = `views-flush-${randomUUID()}`;
    for (let i = 0; i < batch.length; i += FLUSH_CONCURRENCY) {
      await Promise.all(
        batch.slice(i, i + FLUSH_CONCURRENCY).map(async ([productId, count]) => {
          try {
            await this.commandBus.execute(new RecordProductViewsCommand(productId, count, correlationId));
          } catch (e) {
            if (e instanceof AppError && e.code === CatalogErrorCode.PRODUCT_NOT_FOUND) return;
            this.logger.warn(
              `flushing ${count} views of ${productId} failed, kept for the next flush: ${e instanceof Error ? e.message : String(e)}`,
            );
            this.add(productId, count);
          }
        }),
      );
    }
  }
}
