/**
 * Direct reads of the write database for e2e assertions (tests only read; every write goes
 * through the API or the CommandBus), and the inventory invariant of the orders context.
 */
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { WRITE_CONNECTION } from '../../../src/shared/persistence/connections.js';

export function writeDb(app: INestApplication): Connection {
  return app.get<Connection>(getConnectionToken(WRITE_CONNECTION));
}

export interface InventoryDoc {
  productId: string;
  inventory: { quantity: number; reserved: number };
}

export interface InvariantViolation {
  productId: string;
  quantity: number;
  reserved: number;
  reservedByOrders: number;
}

/**
 * For every product: `reserved` equals the sum of its quantities in pending and confirmed orders,
 * and neither `quantity` nor `reserved` is below 0. Returns the products that break it (none = ok).
 */
export async function inventoryViolations(app: INestApplication): Promise<InvariantViolation[]> {
  const db = writeDb(app);
  const held = await db
    .collection('orders')
    .aggregate<{ _id: string; n: number }>([
      { $match: { status: { $in: ['pending', 'confirmed'] } } },
      { $unwind: '$items' },
      { $group: { _id: '$items.productId', n: { $sum: '$items.quantity' } } },
    ])
    .toArray();
  const byProduct = new Map(held.map((h) => [h._id, h.n]));
  const products = await db
    .collection<InventoryDoc>('products')
    .find({}, { projection: { _id: 0, productId: 1, inventory: 1 } })
    .toArray();
  const violations: InvariantViolation[] = [];
  for (const p of products) {
    const reservedByOrders = byProduct.get(p.productId) ?? 0;
    byProduct.delete(p.productId);
    const { quantity, reserved } = p.inventory;
    if (reserved !== reservedByOrders || quantity < 0 || reserved < 0)
      violations.push({ productId: p.productId, quantity, reserved, reservedByOrders });
  }
  // Orders holding stock of a product that does not exist break it too.
  for (const [productId, n] of byProduct)
    violations.push({ productId, quantity: 0, reserved: 0, reservedByOrders: n });
  return violations;
}

export async function inventoryOf(
  app: INestApplication,
  productId: string,
): Promise<{ quantity: number; reserved: number }> {
  const doc = await writeDb(app).collection<InventoryDoc>('products').findOne({ productId });
  if (!doc) throw new Error(`no product ${productId}`);
  return doc.inventory;
}
