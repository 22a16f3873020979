import type { TransportFactory } from './types.js';
import { httpTransport } from './http.js';
import { websocketTransport } from './websocket.js';

export const createTransport: TransportFactory = (name, context, sink) =>
  name === 'websocket' ? websocketTransport(context, sink) : httpTransport(name, context, sink);

export type { Failure, Transport, TransportContext, TransportFactory, TransportSink } from './types.js';
