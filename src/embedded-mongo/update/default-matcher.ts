/** The query matcher update/ uses unless a caller injects another (arrayFilters, $pull conditions, `$`). */
import { compileFilter } from '../query/matcher.js';
import type { CompileFilter } from './operators/index.js';

export const defaultCompileFilter: CompileFilter = compileFilter;
