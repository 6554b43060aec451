/**
 * Products and customers for the orders e2e tests, created through the CommandBus (the same path
 * the seed takes), so each test states only what it needs: a product with a price and stock, a
 * customer with addresses.
 */
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { TestApp } from './test-app.js';
import {
  CreateProductCommand,
  DiscontinueProductCommand,
} from '../../../src/modules/catalog/catalog.public.js';
import { AddAddressCommand } from '../../../src/modules/customers/commands/add-address/add-address.command.js';
import { RegisterCustomerCommand } from '../../../src/modules/customers/commands/register-customer/register-customer.command.js';
import { SuspendCustomerCommand } from '../../../src/modules/customers/commands/suspend-customer/suspend-customer.command.js';

let counter = 0;
const unique = (): string =>
  `${Date.now().toString(36)}${(counter++).toString(36)}${randomUUID().slice(0, 4)}`;

export interface FixtureProduct {
  productId: string;
  sku: string;
  price: string;
}

export interface FixtureCustomer {
  customerId: string;
  addressIds: string[];
  token: string;
}

export class OrdersFixtures {
  private readonly bus: CommandBus;

  constructor(private readonly t: TestApp) {
    this.bus = t.app.get(CommandBus);
  }

  async product(price: string, quantity: number, name = 'Test product'): Promise<FixtureProduct> {
    const sku = `T-${unique()}`.toUpperCase();
    const { id } = await this.bus.execute(
      new CreateProductCommand(
        { sku, name, brand: 'Testbrand', category: ['Test', 'Fixtures'], price, quantity },
        'e2e-fixture',
      ),
    );
    return { productId: id, sku, price };
  }

  async discontinue(productId: string): Promise<void> {
    await this.bus.execute(new DiscontinueProductCommand(productId, 'e2e', undefined, 'e2e-fixture'));
  }

  async customer(addresses = 1): Promise<FixtureCustomer> {
    const tag = unique();
    const { customerId } = await this.bus.execute(
      new RegisterCustomerCommand({ name: `Customer ${tag}`, email: `c-${tag}@example.com` }, 'e2e-fixture'),
    );
    const addressIds: string[] = [];
    for (let i = 0; i < addresses; i++) {
      const res = await this.bus.execute(
        new AddAddressCommand(
          customerId,
          {
            label: `Address ${i + 1}`,
            line1: `${i + 1} Test St`,
            city: 'Testville',
            postalCode: '12345',
            country: 'US',
          },
          undefined,
          'e2e-fixture',
        ),
      );
      if (!res.addressId) throw new Error('AddAddressCommand returned no addressId');
      addressIds.push(res.addressId);
    }
    return { customerId, addressIds, token: this.t.customerToken(customerId) };
  }

  async suspend(customerId: string): Promise<void> {
    await this.bus.execute(new SuspendCustomerCommand(customerId, 'e2e', undefined, 'e2e-fixture'));
  }
}
