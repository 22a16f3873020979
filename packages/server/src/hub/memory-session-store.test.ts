import { MemorySessionStore } from './memory-session-store.js';
import { sessionStoreSuite } from './test-support/session-store-suite.js';

// One process: every "node" is the same store (closing it twice is harmless).
sessionStoreSuite('MemorySessionStore', ({ ttlMs }) => {
  const store = new MemorySessionStore({ ttlMs });
  return { node: () => store };
});
