import { brokerSuite } from './test-support/broker-suite.js';
import { MemoryBroker } from './memory-broker.js';

brokerSuite('MemoryBroker', ({ limits, now }) => new MemoryBroker({ limits, now }));
