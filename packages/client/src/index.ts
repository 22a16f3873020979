export { BaroClient, connect } from './client.js';
export { backoff, DEFAULT_RECONNECT } from './backoff.js';
export {
  AckError,
  type Ack,
  type AckFailure,
  type ClientOptions,
  type ClientState,
  type DataOf,
  type EventContract,
  type EventHandler,
  type EventMap,
  type EventName,
  type ReconnectOptions,
  type ReplyOf,
  type StateEvent,
  type UntypedEvents,
  type WebSocketConstructor,
  type WebSocketLike,
} from './types.js';
export type { TransportName } from '@baro/protocol';
export type { Failure, Transport, TransportContext, TransportFactory, TransportSink } from './transports/index.js';
export { ClockSync, type ClockSyncOptions } from './clock/clock-sync.js';
export { ClockEstimator, type ClockEstimate, type ClockSample, type EstimatorOptions } from './clock/estimator.js';
