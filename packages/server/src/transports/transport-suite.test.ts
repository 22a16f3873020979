/** The shared transport suite, run against WebSocket, SSE, long-polling and polling. */
import { transportSuite } from './test-support/transport-suite.js';
import { PollingDriver, SseDriver, WebSocketDriver } from './test-support/drivers.js';

transportSuite('websocket', (base) => new WebSocketDriver(base));
transportSuite('sse', (base) => new SseDriver(base));
transportSuite('sse with Last-Event-ID', (base) => new SseDriver(base, { useLastEventId: true }));
transportSuite('long-polling', (base) => new PollingDriver(base, 1));
transportSuite('polling', (base) => new PollingDriver(base, 0));
