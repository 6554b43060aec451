import { AppError } from '../../../shared/errors/app-error.js';
import { ProductViewsRecordedEvent } from './events/product-views-recorded.event.js';
import { ProductViews } from './product-views.aggregate.js';

const ID = 'prd_00000000-0000-4000-8000-000000000001';
const ctx = { correlationId: 'corr', now: new Date('2026-01-01T00:00:00Z') };

describe('ProductViews', () => {
  it('given no views, when a batch of 3 is recorded, then views-recorded v1 with the total', () => {
    const views = ProductViews.empty(ID);
    views.record(3, ctx);
    const [e, ...rest] = views.pullEvents();
    expect(rest).toEqual([]);
    expect(e).toBeInstanceOf(ProductViewsRecordedEvent);
    expect({
      type: e.type,
      aggregateType: e.aggregateType,
      aggregateId: e.aggregateId,
      aggregateVersion: e.aggregateVersion,
      payload: e.payload,
    }).toEqual({
      type: 'catalog.product-views-recorded',
      aggregateType: 'product-views',
      aggregateId: `views:${ID}`,
      aggregateVersion: 1,
      payload: { productId: ID, count: 3, totalViews: 3 },
    });
  });

  it('given earlier batches, the next batch continues version and total', () => {
    const history = [
      new ProductViewsRecordedEvent(`views:${ID}`, 1, { productId: ID, count: 2, totalViews: 2 }, 'c'),
      new ProductViewsRecordedEvent(`views:${ID}`, 2, { productId: ID, count: 5, totalViews: 7 }, 'c'),
    ];
    const views = ProductViews.fromHistory(ID, history);
    views.record(1, ctx);
    expect(views.pullEvents().map((e) => [e.aggregateVersion, e.payload.totalViews])).toEqual([[3, 8]]);
    expect(views.state).toMatchObject({ totalViews: 8, version: 3 });
  });

  it.each([0, -1, 1.5, 2_000_000])('a batch of %p views is refused', (n) => {
    const views = ProductViews.empty(ID);
    expect(() => views.record(n, ctx)).toThrow(AppError);
    expect(views.pullEvents()).toEqual([]);
  });
});
