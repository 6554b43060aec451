export * from './types.js';
export * from './numeric.js';
export * from './compare.js';
export * from './keystring.js';
export * from './paths.js';
export * from './clone.js';
