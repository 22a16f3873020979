import { MemoryQuizStore } from './memory-store.js';
import { storeSuite } from './store-suite.js';

storeSuite('MemoryQuizStore', (options) => new MemoryQuizStore(options));
