/** The shared HTTP transport suite, run against SSE, long-polling and polling. */
import { transportSuite } from './test-support/transport-suite.js';
import { PollingDriver, SseDriver } from './test-support/drivers.js';

transportSuite('sse', (base) => new SseDriver(base));
transportSuite('sse with Last-Event-ID', (base) => new SseDriver(base, { useLastEventId: true }));
transportSuite('long-polling', (base) => new PollingDriver(base, 1));
transportSuite('polling', (base) => new PollingDriver(base, 0));
