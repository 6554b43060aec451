/** OpenAPI schemas of the product query responses (product.response.dto.ts). */
import {
  arrayOf,
  bool,
  dateTime,
  int,
  money,
  nullable,
  num,
  obj,
  oneOf,
  PAGINATION_SCHEMA,
  str,
  type SchemaObject,
} from '../../../shared/http/openapi-schema.js';

export const PRODUCT_RESPONSE_SCHEMA: SchemaObject = obj({
  id: str(),
  sku: str(),
  slug: str(),
  name: str(),
  description: str(),
  brand: str(),
  category: arrayOf(str()),
  categoryPath: str(),
  price: money(),
  currency: str(),
  images: arrayOf(str()),
  features: arrayOf(str()),
  status: oneOf(['active', 'discontinued']),
  inStock: bool(),
  stockLevel: int(),
  searchKeywords: arrayOf(str()),
  metrics: obj({
    averageRating: num(),
    reviewCount: int(),
    viewCount: int(),
    purchaseCount: int(),
    popularityScore: num(),
    trendingScore: num(),
  }),
  version: int(),
  createdAt: nullable(dateTime()),
  updatedAt: nullable(dateTime()),
});

export const PRODUCT_SEARCH_RESPONSE_SCHEMA: SchemaObject = obj({
  items: arrayOf({
    ...PRODUCT_RESPONSE_SCHEMA,
    properties: {
      ...PRODUCT_RESPONSE_SCHEMA.properties,
      score: { type: 'number', description: 'Text relevance (with q)' },
    },
  }),
  pagination: PAGINATION_SCHEMA,
});

export const TRENDING_PRODUCTS_RESPONSE_SCHEMA: SchemaObject = obj({
  items: arrayOf(PRODUCT_RESPONSE_SCHEMA),
});
