import { EventEmitter } from 'node:events';
import type { EnginePacket } from '../codec/index.js';
import type { EngineTransportName } from './options.js';

export interface TransportEvents {
  /** A packet from the client. */
  packet: [packet: EnginePacket];
  /** The client sent something that is not Engine.IO. */
  parseError: [description: string];
  /** The client broke the transport's rules (overlapping polls, oversized body, ...). */
  error: [description: string];
  /** The transport can take packets (a poll is waiting, or a WebSocket is open). */
  ready: [];
  close: [];
}

/** One way of carrying an Engine.IO session's packets: long-polling or a WebSocket. */
export abstract class EngineTransport extends EventEmitter<TransportEvents> {
  abstract readonly name: EngineTransportName;
  /** Whether `send` would go out now. */
  writable = false;
  /** Set once the session moved to another transport: closing needs no goodbye then. */
  protected discarded = false;
  protected closed = false;

  abstract send(packets: EnginePacket[]): void;

  /** Closes; `onClosed` runs once the client was told (or could not be). */
  abstract close(onClosed?: () => void): void;

  discard(): void {
    this.discarded = true;
  }

  /** Reports a broken rule; nobody listens once the session left this transport. */
  protected fail(description: string): void {
    if (!this.closed && this.listenerCount('error') > 0) this.emit('error', description);
  }

  protected finishClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.writable = false;
    this.emit('close');
  }
}
