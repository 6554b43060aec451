import { Decimal128 } from 'mongodb';
import type { ProductSearchCriteria } from './search-products.query.js';
import { searchFilter, searchSort } from './search-products.handler.js';

const base: ProductSearchCriteria = { sortBy: 'popularity', order: 'desc', limit: 20, offset: 0 };

describe('product search filter', () => {
  it('only listed, active products without criteria', () => {
    expect(searchFilter(base)).toEqual({ listed: true, status: 'active' });
  });

  it('category is a whole-segment prefix with regex characters escaped', () => {
    const f = searchFilter({ ...base, category: ['Home (Indoor)', 'Lamps.*'] });
    const re = new RegExp((f.categoryPath as { $regex: string }).$regex);
    expect(re.test('Home (Indoor)/Lamps.*')).toBe(true);
    expect(re.test('Home (Indoor)/Lamps.*/Desk')).toBe(true);
    expect(re.test('Home (Indoor)/Lamps.*X')).toBe(false);
    expect(re.test('Home (Indoor)/LampsXYZ')).toBe(false);
  });

  it('prices are exact Decimal128 bounds; text, brand, stock and features are plain values', () => {
    const f = searchFilter({
      ...base,
      q: 'lamp',
      brand: 'Lux',
      minPrice: '10',
      maxPrice: '99.9',
      inStock: true,
      features: ['dimmable', 'led'],
    });
    expect(f).toMatchObject({
      $text: { $search: 'lamp' },
      brand: 'Lux',
      price: { $gte: Decimal128.fromString('10.00'), $lte: Decimal128.fromString('99.90') },
      inStock: true,
      features: { $all: ['dimmable', 'led'] },
    });
  });

  it('every sort ends with _id so pages are stable', () => {
    for (const sortBy of ['relevance', 'price', 'popularity', 'rating', 'trending', 'newest'] as const) {
      expect(Object.keys(searchSort({ ...base, sortBy })).at(-1)).toBe('_id');
    }
    expect(searchSort({ ...base, sortBy: 'price', order: 'asc' })).toEqual({ price: 1, _id: 1 });
  });
});
