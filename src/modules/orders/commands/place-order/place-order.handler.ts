import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../../../../config/env.js';
import { APP_CONFIG } from '../../../../shared/config.module.js';
import { KeyedMutex } from '../../../../shared/persistence/keyed-mutex.js';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { InventoryService, type ProductSnapshot } from '../../../catalog/catalog.public.js';
import { CustomerDirectory } from '../../../customers/customers.public.js';
import { Order } from '../../domain/order.aggregate.js';
import { OrderRepository } from '../../persistence/order.repository.js';
import type { OrderCommandResult } from '../command-accepted.response.dto.js';
import { PlaceOrderCommand } from './place-order.command.js';

@CommandHandler(PlaceOrderCommand)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrderCommand, OrderCommandResult> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly productLocks: KeyedMutex,
    private readonly customers: CustomerDirectory,
    private readonly inventory: InventoryService,
    private readonly orders: OrderRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Orders of one product queue here instead of aborting each other's transactions (KeyedMutex;
   * bounded: past its limits the order is refused with 503 at once). At its turn the transaction
   * reads the customer, the addresses and the products once, stages the product updates, the order
   * and the events in one write batch and commits: an order that cannot be served (sold out,
   * unknown or discontinued product) is refused by the same reads, before any write.
   */
  async execute(cmd: PlaceOrderCommand): Promise<OrderCommandResult> {
    const productIds = cmd.items.map((i) => i.productId);
    return this.productLocks.runExclusive(productIds, () => this.place(cmd));
  }

  private place(cmd: PlaceOrderCommand): Promise<OrderCommandResult> {
    const orderId = cmd.options.orderId ?? `ord_${randomUUID()}`;
    const now = cmd.options.placedAt ?? new Date();
    const ctx = { correlationId: cmd.correlationId, now };
    return this.uow.run(async (session, writes) => {
      const { customer, shipping, billing } = await this.customers.requireActiveCustomerWithAddresses(
        cmd.customerId,
        cmd.shippingAddressId,
        cmd.billingAddressId,
        session,
        writes,
      );
      const reservation = await this.inventory.reserve(
        cmd.items,
        session,
        { orderId, correlationId: cmd.correlationId },
        writes,
      );
      const products = new Map<string, ProductSnapshot>(reservation.snapshots.map((p) => [p.productId, p]));
      const order = Order.place(
        {
          orderId,
          customer,
          shippingAddress: shipping,
          billingAddress: billing,
          lines: cmd.items.map((item) => {
            const p = products.get(item.productId);
            if (!p) throw new Error(`the catalog reserved no snapshot for ${item.productId}`);
            return {
              productId: p.productId,
              sku: p.sku,
              name: p.name,
              category: p.category,
              brand: p.brand,
              imageUrl: p.imageUrl,
              quantity: item.quantity,
              unitPrice: p.price,
            };
          }),
          pricing: {
            taxRate: this.config.taxRate,
            shippingFee: this.config.shippingFee,
            currency: this.config.currency,
          },
        },
        ctx,
      );
      this.orders.stageInsert(order, writes);
      return {
        result: { id: order.id, version: order.version },
        events: [...order.pullEvents(), ...reservation.events],
      };
    });
  }
}
