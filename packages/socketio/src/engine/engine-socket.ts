import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { openPacket, type EnginePacket } from '../codec/index.js';
import type { EngineSettings } from './options.js';
import type { EngineTransport } from './transport.js';

export type EngineSocketState = 'open' | 'closing' | 'closed';

/**
 * Why a session ended, in the reference's words: `ping timeout`, `parse error`, `transport error`,
 * `transport close`, `forced close`, `server shutting down`.
 */
export type EngineCloseReason = 'ping timeout' | 'parse error' | 'transport error' | 'transport close' | 'forced close' | 'server shutting down';

export interface EngineSocketEvents {
  message: [data: string | Buffer];
  /** The session moved from polling to WebSocket. */
  upgrade: [];
  close: [reason: EngineCloseReason, description: string | undefined];
}

export type EngineSendData = string | Buffer | ArrayBuffer | ArrayBufferView;

function toPayload(data: EngineSendData): string | Buffer {
  if (typeof data === 'string' || Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function packetBytes(packet: EnginePacket): number {
  return packet.data === undefined ? 1 : 1 + packet.data.length;
}

/**
 * One Engine.IO session, whatever carries it: queues packets for the transport, pings the client,
 * and moves from polling to WebSocket when the client probes one.
 */
export class EngineSocket extends EventEmitter<EngineSocketEvents> {
  readonly id: string;
  /** The request that opened the session. */
  readonly request: IncomingMessage;
  readonly remoteAddress: string | undefined;
  #transport: EngineTransport;
  #state: EngineSocketState = 'open';
  readonly #settings: EngineSettings;
  readonly #upgrades: string[];
  #writeBuffer: EnginePacket[] = [];
  #bufferedBytes = 0;
  #pingIntervalTimer: NodeJS.Timeout | null = null;
  #pingTimeoutTimer: NodeJS.Timeout | null = null;
  #pingTimeoutRefreshed = false;
  #upgrading = false;
  #upgraded = false;
  /** Undoes the listeners on the current transport. */
  #detachTransport: () => void = () => {};
  #cancelUpgrade: (() => void) | null = null;
  /** Set by a close while packets wait for a poll: the transport closes once they went out. */
  #closeAfterFlush = false;
  #closeTimer: NodeJS.Timeout | null = null;

  constructor(id: string, request: IncomingMessage, transport: EngineTransport, settings: EngineSettings, upgrades: string[]) {
    super();
    this.id = id;
    this.request = request;
    this.remoteAddress = request.socket.remoteAddress;
    this.#settings = settings;
    this.#upgrades = upgrades;
    this.#transport = transport;
    this.#attach(transport);
    this.#sendPacket(openPacket({ sid: id, upgrades, pingInterval: settings.pingInterval, pingTimeout: settings.pingTimeout, maxPayload: settings.maxPayload }));
    this.#schedulePing();
  }

  /** The transport carrying the session now (`transport.name` is `polling` or `websocket`). */
  get transport(): EngineTransport {
    return this.#transport;
  }

  get readyState(): EngineSocketState {
    return this.#state;
  }

  /** Whether a WebSocket may still take over this session. */
  get canUpgrade(): boolean {
    return this.#state === 'open' && !this.#upgrading && !this.#upgraded && this.#transport.name === 'polling' && this.#upgrades.length > 0;
  }

  /** Sends a message (text or bytes). False when the session is closing or closed. */
  send(data: EngineSendData): boolean {
    if (this.#state !== 'open') return false;
    return this.#sendPacket({ type: 'message', data: toPayload(data) });
  }

  /** Closes once what is queued went out; 'close' follows with `forced close`. */
  close(): void {
    if (this.#state !== 'open') return;
    this.#state = 'closing';
    if (this.#writeBuffer.length > 0 && !this.#transport.writable) {
      // As the reference: the next poll carries what is queued, a later one the close packet. The
      // client handles what was queued before it hears the close (socket.io-client defers packets
      // a tick, so a close in the same payload would overtake them).
      this.#closeAfterFlush = true;
      this.#closeTimer = setTimeout(() => this.#onClose('forced close'), this.#settings.pollingCloseTimeout);
      return;
    }
    this.#flush();
    this.#closeTransport();
  }

  #closeTransport(): void {
    this.#transport.close(() => this.#onClose('forced close'));
  }

  /** Ends the session at once, without waiting for the client (server shutdown). */
  terminate(reason: EngineCloseReason = 'server shutting down'): void {
    this.#transport.discard();
    this.#onClose(reason);
  }

  /** Takes a WebSocket that wants to replace polling: it must probe, then send `upgrade`. */
  maybeUpgrade(candidate: EngineTransport): void {
    this.#upgrading = true;
    let probeTimer: NodeJS.Timeout | null = null;
    const cleanup = (): void => {
      this.#upgrading = false;
      this.#cancelUpgrade = null;
      clearTimeout(upgradeTimer);
      if (probeTimer) clearInterval(probeTimer);
      candidate.off('packet', onPacket);
      candidate.off('close', onCandidateGone);
      candidate.off('parseError', onCandidateGone);
      candidate.off('error', onCandidateGone);
    };
    const abandon = (): void => {
      cleanup();
      candidate.close();
    };
    // A waiting poll is answered with a noop, so the client can pause polling and finish the upgrade.
    const endWaitingPoll = (): void => {
      if (this.#transport.name === 'polling' && this.#transport.writable) this.#transport.send([{ type: 'noop' }]);
    };
    const onPacket = (packet: EnginePacket): void => {
      if (packet.type === 'ping' && packet.data === 'probe') {
        candidate.send([{ type: 'pong', data: 'probe' }]);
        endWaitingPoll();
        if (probeTimer) clearInterval(probeTimer);
        probeTimer = setInterval(endWaitingPoll, 100);
      } else if (packet.type === 'upgrade' && this.#state !== 'closed') {
        cleanup();
        const previous = this.#transport;
        previous.discard();
        this.#detachTransport();
        previous.close();
        this.#upgraded = true;
        this.#transport = candidate;
        this.#attach(candidate);
        this.emit('upgrade');
        this.#closeAfterFlush = false;
        this.#flush();
        if (this.#state === 'closing') this.#closeTransport();
      } else {
        abandon();
      }
    };
    const onCandidateGone = (): void => abandon();
    const upgradeTimer = setTimeout(abandon, this.#settings.upgradeTimeout);
    candidate.on('packet', onPacket);
    candidate.once('close', onCandidateGone);
    candidate.once('parseError', onCandidateGone);
    candidate.once('error', onCandidateGone);
    this.#cancelUpgrade = abandon;
  }

  #attach(transport: EngineTransport): void {
    const onPacket = (packet: EnginePacket): void => this.#onPacket(packet);
    const onReady = (): void => this.#flush();
    const onParseError = (description: string): void => this.#onClose('parse error', description);
    const onError = (description: string): void => this.#onClose('transport error', description);
    const onClose = (): void => this.#onClose('transport close');
    transport.on('packet', onPacket);
    transport.on('ready', onReady);
    transport.on('parseError', onParseError);
    transport.on('error', onError);
    transport.on('close', onClose);
    this.#detachTransport = () => {
      transport.off('packet', onPacket);
      transport.off('ready', onReady);
      transport.off('parseError', onParseError);
      transport.off('error', onError);
      transport.off('close', onClose);
    };
  }

  #onPacket(packet: EnginePacket): void {
    if (this.#state !== 'open') return;
    // Any traffic shows the client is alive: the pending ping timeout is extended once, as the reference does.
    if (this.#pingTimeoutTimer && !this.#pingTimeoutRefreshed && packet.type !== 'pong') {
      this.#pingTimeoutTimer.refresh();
      this.#pingTimeoutRefreshed = true;
    }
    switch (packet.type) {
      case 'ping':
        // Protocol v4: only the server pings.
        this.#onClose('transport error', 'invalid heartbeat direction');
        break;
      case 'pong':
        if (this.#pingTimeoutTimer) clearTimeout(this.#pingTimeoutTimer);
        this.#pingTimeoutTimer = null;
        this.#pingIntervalTimer?.refresh();
        break;
      case 'message':
        this.emit('message', packet.data ?? '');
        break;
      default:
        // open, upgrade, noop: nothing to do outside an upgrade.
        break;
    }
  }

  #schedulePing(): void {
    this.#pingIntervalTimer = setTimeout(() => {
      this.#pingTimeoutRefreshed = false;
      this.#sendPacket({ type: 'ping' });
      if (this.#pingTimeoutTimer) clearTimeout(this.#pingTimeoutTimer);
      this.#pingTimeoutTimer = setTimeout(() => this.#onClose('ping timeout'), this.#settings.pingTimeout);
    }, this.#settings.pingInterval);
  }

  #sendPacket(packet: EnginePacket): boolean {
    if (this.#state === 'closed') return false;
    this.#writeBuffer.push(packet);
    this.#bufferedBytes += packetBytes(packet);
    if (this.#bufferedBytes > this.#settings.maxBufferedBytes) {
      this.#onClose('transport error', `more than ${this.#settings.maxBufferedBytes} bytes waiting for the client`);
      return false;
    }
    this.#flush();
    return true;
  }

  #flush(): void {
    if (this.#state === 'closed' || !this.#transport.writable || this.#writeBuffer.length === 0) return;
    const packets = this.#writeBuffer;
    this.#writeBuffer = [];
    this.#bufferedBytes = 0;
    this.#transport.send(packets);
    if (this.#closeAfterFlush && this.#state === 'closing') {
      this.#closeAfterFlush = false;
      this.#closeTransport();
    }
  }

  #onClose(reason: EngineCloseReason, description?: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    if (this.#pingIntervalTimer) clearTimeout(this.#pingIntervalTimer);
    if (this.#pingTimeoutTimer) clearTimeout(this.#pingTimeoutTimer);
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
    this.#cancelUpgrade?.();
    this.#detachTransport();
    this.#writeBuffer = [];
    this.#bufferedBytes = 0;
    // The session is gone from the server: a later poll hears "Session ID unknown", so nothing waits for one.
    this.#transport.discard();
    this.#transport.close();
    this.emit('close', reason, description);
  }
}
