/**
 * Instruments for a Node client: a `WebSocket` class and a `fetch` that note when each connection
 * or request starts (a reconnect attempt, once the client was told to go away) and spot the close
 * packets `["c", code, reason, retryAfterMs]` in what comes back, whatever the transport.
 */
import { WebSocket } from 'baro';
import type { WebSocketConstructor } from '@baro/client';

export interface ClosePacketSeen {
  at: number;
  code: number;
  retryAfterMs: number | null;
}

export interface WireRecorder {
  /** Date.now() at each WebSocket construction or fetch call. */
  readonly attempts: number[];
  readonly closes: ClosePacketSeen[];
  readonly WebSocket: WebSocketConstructor;
  readonly fetch: typeof fetch;
}

const CLOSE_PACKET = /\["c",(\d+),"(?:[^"\\]|\\.)*",(null|\d+)\]/g;

export function wireRecorder(): WireRecorder {
  const attempts: number[] = [];
  const closes: ClosePacketSeen[] = [];
  const scanner = () => {
    let text = '';
    let found = 0;
    return (more: string): void => {
      text += more;
      const matches = [...text.matchAll(CLOSE_PACKET)];
      for (const match of matches.slice(found)) closes.push({ at: Date.now(), code: Number(match[1]), retryAfterMs: match[2] === 'null' ? null : Number(match[2]) });
      found = matches.length;
    };
  };

  class RecordingWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      attempts.push(Date.now());
      const scan = scanner();
      this.addEventListener('message', (event) => {
        const { data } = event as MessageEvent;
        if (typeof data === 'string') scan(data);
      });
    }
  }

  const recordingFetch: typeof fetch = async (input, init) => {
    attempts.push(Date.now());
    const response = await fetch(input, init);
    if (!response.body) return response;
    const [mine, theirs] = response.body.tee();
    const scan = scanner();
    void (async () => {
      const reader = mine.getReader();
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          scan(decoder.decode(value, { stream: true }));
        }
      } catch {
        // The client aborted the request: nothing more to scan.
      }
    })();
    return new Response(theirs, { status: response.status, statusText: response.statusText, headers: response.headers });
  };

  return { attempts, closes, WebSocket: RecordingWebSocket as unknown as WebSocketConstructor, fetch: recordingFetch };
}
