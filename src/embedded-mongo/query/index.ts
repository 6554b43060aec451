/**
 * The query layer: filters (matcher), find projections, sort specifications, and the MongoDB
 * regex translation they share. Everything here is compiled once and evaluated per document.
 */
export {
  compileFilter,
  parseFilter,
  filterPaths,
  type FilterOptions,
  type Matcher,
  type MatchDetails,
  type TextMatcherFactory,
} from './matcher.js';
export { compileProjection, type ProjectionOptions, type Projector } from './projection.js';
export {
  compileSort,
  parseSort,
  sortDocuments,
  compareSortValues,
  type Comparator,
  type CompiledSort,
  type SortKey,
  type SortOptions,
} from './sort.js';
export { compileRegex, regexSpecOf, validateRegexOptions, type RegexSpec } from './regex.js';
export { collatorFor, type StringComparator } from './collation.js';
export { compileSchema as compileJsonSchema } from './json-schema.js';
export {
  loadDefaultExpressionEvaluator,
  setDefaultExpressionEvaluator,
  type ExpressionEvaluator,
} from './expression-evaluator.js';
export { trueValue } from './predicates.js';
