export * from './server/index.js';
export * as protocol from './protocol/index.js';
