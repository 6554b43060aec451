/**
 * The world the HTTP fuzzer runs in: two customers with an address each, two products, one order,
 * and tokens (admin, the customer, the other customer, an unsigned alg:none admin token). Every id
 * is offered to every path parameter, so ids of the wrong kind and of other resources are tried.
 */
import { CommandBus } from '@nestjs/cqrs';
import { PlaceOrderCommand } from '../../../src/modules/orders/orders.public.js';
import { OrdersFixtures } from '../helpers/orders-fixtures.js';
import type { TestApp } from '../helpers/test-app.js';
import type { FuzzContext } from './request-arbitraries.js';

export interface FuzzWorld extends FuzzContext {
  customerId: string;
  productId: string;
  orderId: string;
}

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

export async function createFuzzWorld(t: TestApp, projectionNames: string[]): Promise<FuzzWorld> {
  const f = new OrdersFixtures(t);
  const customer = await f.customer(1);
  const other = await f.customer(1);
  const product = await f.product('19.99', 1_000, 'Fuzz mug');
  const product2 = await f.product('5.00', 1_000, 'Fuzz spoon');
  const order = await t.app
    .get(CommandBus)
    .execute(
      new PlaceOrderCommand(
        customer.customerId,
        [{ productId: product.productId, quantity: 1 }],
        customer.addressIds[0]!,
        customer.addressIds[0]!,
        'fuzz-fixture',
      ),
    );
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return {
    customerId: customer.customerId,
    productId: product.productId,
    orderId: order.id,
    ids: [
      customer.customerId,
      other.customerId,
      ...customer.addressIds,
      ...other.addressIds,
      product.productId,
      product2.productId,
      order.id,
      ...projectionNames,
    ],
    adminToken: t.adminToken,
    customerToken: customer.token,
    otherCustomerToken: other.token,
    unsignedAdminToken: `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'x', roles: ['admin'], exp })}.`,
  };
}
