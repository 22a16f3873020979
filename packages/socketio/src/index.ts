export * from './codec/index.js';
export * from './engine/index.js';
export * from './server/index.js';
