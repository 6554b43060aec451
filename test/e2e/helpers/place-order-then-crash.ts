/**
 * Child process of orders-crash-after-commit.e2e-spec.ts (run from dist/):
 *
 *   node dist/test/e2e/helpers/place-order-then-crash.js <dbPath> <reportFile>
 *
 * Starts the whole service on a durable embedded database in `dbPath`, creates a product and a
 * customer, then places an order with UnitOfWork.afterCommitHook set to SIGKILL the process: the
 * transaction has committed, the events have not been published. Before dying it writes what the
 * parent should find in the database to `reportFile` (synchronously, so it is on disk first).
 */
import { CommandBus } from '@nestjs/cqrs';
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../../src/config/env.js';
import { createApp } from '../../../src/bootstrap.js';
import { CreateProductCommand } from '../../../src/modules/catalog/catalog.public.js';
import { AddAddressCommand } from '../../../src/modules/customers/commands/add-address/add-address.command.js';
import { RegisterCustomerCommand } from '../../../src/modules/customers/commands/register-customer/register-customer.command.js';
import { PlaceOrderCommand } from '../../../src/modules/orders/orders.public.js';
import { UnitOfWork } from '../../../src/shared/persistence/unit-of-work.js';

export interface CrashReport {
  orderId: string;
  productId: string;
  customerId: string;
  events: { eventId: string; type: string; aggregateId: string; aggregateVersion: number }[];
}

async function main(): Promise<void> {
  const [dbPath, reportFile] = process.argv.slice(2);
  if (!dbPath || !reportFile) throw new Error('usage: place-order-then-crash <dbPath> <reportFile>');
  const config = loadConfig({
    NODE_ENV: 'test',
    EMBEDDED_MONGO_DBPATH: dbPath,
    JWT_SECRET: 'crash-test-secret-crash-test-secret-0123456789',
    SEED_ON_START: 'false',
    LOG_LEVEL: 'error',
  });
  const { app } = await createApp(config, { logger: false });
  const bus = app.get(CommandBus);
  const product = await bus.execute(
    new CreateProductCommand(
      {
        sku: 'CRASH-1',
        name: 'Crash mug',
        brand: 'Testbrand',
        category: ['Test'],
        price: '9.99',
        quantity: 5,
      },
      'crash-test',
    ),
  );
  const customer = await bus.execute(
    new RegisterCustomerCommand({ name: 'Crash Tester', email: 'crash@example.com' }, 'crash-test'),
  );
  const address = await bus.execute(
    new AddAddressCommand(
      customer.customerId,
      { label: 'Home', line1: '1 Crash St', city: 'Testville', postalCode: '12345', country: 'US' },
      undefined,
      'crash-test',
    ),
  );
  const orderId = 'ord_00000000-0000-4000-8000-0000000c7a54';
  app.get(UnitOfWork).afterCommitHook = (events) => {
    const report: CrashReport = {
      orderId,
      productId: product.id,
      customerId: customer.customerId,
      events: events.map((e) => ({
        eventId: e.eventId,
        type: e.type,
        aggregateId: e.aggregateId,
        aggregateVersion: e.aggregateVersion,
      })),
    };
    writeFileSync(reportFile, JSON.stringify(report));
    process.kill(process.pid, 'SIGKILL');
  };
  await bus.execute(
    new PlaceOrderCommand(
      customer.customerId,
      [{ productId: product.id, quantity: 2 }],
      address.addressId!,
      address.addressId!,
      'crash-test',
      { orderId },
    ),
  );
  // Not reached: the hook kills the process before the command returns.
  process.stderr.write('place-order-then-crash: the process survived the commit\n');
  process.exit(3);
}

main().catch((e: unknown) => {
  process.stderr.write(
    `place-order-then-crash: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exit(2);
});
