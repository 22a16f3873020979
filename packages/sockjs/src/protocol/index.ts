export * from './frames.js';
export * from './inbound.js';
export * from './info.js';
export * from './iframe.js';
export * from './callback.js';
export * from './transport-framing.js';
export * from './hixie76.js';
