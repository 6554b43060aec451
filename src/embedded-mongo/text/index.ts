/**
 * Text search (`$text` on text indexes): mongod's tokenizer, Snowball English stemmer and stop
 * words, search-string parsing, matching and scoring. The command layer uses textSearchFor.
 */
export { textSearchFor, findTextIndex, type TextSearch } from './text-search.js';
export { textIndexRequired } from './text.errors.js';
export { stemEnglish } from './english-stemmer.js';
export { tokenize, type TokenizeOptions } from './tokenizer.js';
export { findLanguage, requireLanguage, type TextLanguage } from './language.js';
export { hasText } from './text-filter.js';
