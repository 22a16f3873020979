import { AckError, connect, type BaroClient, type ClientState, type TransportName } from '@baro/client';
import { useEffect, useState } from 'preact/hooks';
import type { QuizEvents } from '../../src/shared/protocol.ts';

export type QuizClient = BaroClient<QuizEvents>;

export interface Connection {
  state: ClientState;
  transport: TransportName | null;
}

/** How long an acknowledged event may wait for its answer before it is sent again (or given up). */
export const ACK_TIMEOUT = 5_000;

const KNOWN_TRANSPORTS: Record<TransportName, true> = { websocket: true, sse: true, 'long-polling': true, polling: true };

/** `?transports=sse,long-polling` restricts the client to those transports, in that order (for testing fallbacks). */
function transportsFromUrl(): TransportName[] | null {
  const list = new URLSearchParams(location.search).get('transports');
  const names = (list ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name): name is TransportName => Object.hasOwn(KNOWN_TRANSPORTS, name));
  return names.length > 0 ? names : null;
}

export function createQuizClient(): QuizClient {
  const transports = transportsFromUrl();
  const client = connect<QuizEvents>(location.origin, transports ? { transports } : {});
  // The server measures each page's round trip with these (shown to the host): answer at once.
  client.on('ping', (_data, ack) => ack({}));
  return client;
}

/**
 * The client's state in a person's words: once a session exists, each new try to carry it is still
 * "reconnecting…" (the client says `connecting` during a try and `reconnecting` only while it waits
 * between tries, which flickers for well under a second).
 */
export function useConnection(client: QuizClient): Connection {
  const read = (): Connection => ({
    state: client.state === 'connecting' && client.sessionId !== null ? 'reconnecting' : client.state,
    transport: client.transport,
  });
  const [connection, setConnection] = useState(read);
  useEffect(() => {
    setConnection(read());
    return client.onState(() => setConnection(read()));
  }, [client]);
  return connection;
}

/** Resolves once the client carries a session; rejects if it closes for good first. */
export function whenOpen(client: QuizClient): Promise<void> {
  if (client.state === 'open') return Promise.resolve();
  if (client.state === 'closed') return Promise.reject(new AckError('the client is closed', 'closed'));
  return new Promise((resolve, reject) => {
    const stop = client.onState((event) => {
      if (event.type === 'open') {
        stop();
        resolve();
      } else if (event.type === 'closed') {
        stop();
        reject(new AckError(`the client closed: ${event.reason}`, 'closed'));
      }
    });
  });
}

/**
 * Asks again when an answer did not come (lost with a dropped session, or late), once `ready`
 * resolves: only for requests the server treats as idempotent (rejoin, hello, a submit with the
 * same clientSubmissionId). Other failures, and the last attempt's, are thrown.
 */
export async function askUntilAnswered<T>(ask: () => Promise<T>, ready: () => Promise<void>, attempts = Infinity): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ask();
    } catch (error) {
      const retryable = error instanceof AckError && (error.reason === 'timeout' || error.reason === 'closed');
      if (!retryable || attempt >= attempts) throw error;
      await ready();
    }
  }
}
