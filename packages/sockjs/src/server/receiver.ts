/**
 * A receiver is the one connection a session currently writes to: a streaming or polling HTTP
 * response, or a WebSocket. Sessions outlive receivers; a receiver belongs to one session at most.
 */
export interface Receiver {
  /** Transport name shown to the application as `connection.protocol`. */
  readonly protocol: string;
  /**
   * Whether the session waits `disconnect_delay` for the client's next request after this
   * receiver ends. False for WebSockets and for HTTP clients that went away mid-response.
   */
  readonly delayDisconnect: boolean;
  /** Called by the session that takes this receiver; the receiver reports its end to `onEnd`. */
  attach(onEnd: () => void): void;
  sendFrame(frame: string): void;
  /** Ends the underlying response or socket (normally, not as an abort). */
  close(): void;
}
