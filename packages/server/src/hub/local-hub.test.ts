import { hubSuite } from './test-support/hub-suite.js';
import { LocalHub } from './local-hub.js';

hubSuite('LocalHub', () => new LocalHub());
