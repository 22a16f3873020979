import type { WebSocketConnection } from 'baro';

/** A WebSocket of either kind (RFC 6455 through baro, or hixie-76) as the SockJS layer uses it. */
export interface MessageSocket {
  readonly remoteAddress: string | undefined;
  send(text: string): void;
  close(code: number, reason: string): void;
  onMessage(listener: (text: string) => void): void;
  /** Once, however the socket ended. */
  onClose(listener: () => void): void;
}

export function fromBaroConnection(connection: WebSocketConnection): MessageSocket {
  return {
    get remoteAddress() {
      return connection.remoteAddress;
    },
    send: (text) => void connection.send(text),
    close: (code, reason) => connection.close(code, reason),
    // Binary messages are read as UTF-8 text, as the reference's JSON.parse(buffer) does.
    onMessage: (listener) => void connection.on('message', (data: Buffer) => listener(data.toString('utf8'))),
    onClose: (listener) => void connection.once('close', () => listener()),
  };
}
