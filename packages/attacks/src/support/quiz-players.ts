/**
 * Quiz clients for attacks: real @baro/client sessions speaking the quiz's events (join, rejoin,
 * submit, host:hello, host:command), typed loosely, since the attack suite is outside the app.
 */
import { connect, type BaroClient } from '@baro/client';
import { WebSocket } from 'baro';
import { http } from './raw-http.js';

type Reply = Record<string, unknown> & { ok?: boolean; accepted?: boolean; reason?: string; code?: string; error?: string };
export type QuizSession = BaroClient<{ serverToClient: Record<string, (...args: never[]) => unknown>; clientToServer: Record<string, (request: unknown) => Reply> }>;

export function quizSession(url: string): QuizSession {
  const client = connect(url, { transports: ['websocket'], WebSocket: WebSocket as never, reconnect: false }) as unknown as QuizSession;
  (client as unknown as BaroClient).on('ping', (_data: unknown, ack?: (reply: unknown) => void) => ack?.({}));
  return client;
}

export function ask(client: QuizSession, event: string, request: unknown, timeout = 10_000): Promise<Reply> {
  return (client as unknown as BaroClient).emitWithAck(event as never, request as never, { timeout }) as Promise<Reply>;
}

/** The host's session on the demo's live quiz (host:hello with the password). */
export async function hostSession(url: string, code: string, password: string): Promise<QuizSession> {
  const info = await http(`${url}/api/join/${code}`);
  if (info.status !== 200) throw new Error(`GET /api/join/${code}: ${info.status}`);
  const { liveId } = JSON.parse(info.body) as { liveId: string };
  const host = quizSession(url);
  const hello = await ask(host, 'host:hello', { liveId, password });
  if (!hello.ok) throw new Error(`host:hello: ${hello.error}`);
  return host;
}

export async function command(host: QuizSession, command: Record<string, unknown>): Promise<void> {
  const reply = await ask(host, 'host:command', command);
  if (!reply.ok) throw new Error(`${String(command.command)}: ${reply.error}`);
}

/** The host's session, with the demo's short question (index 1) shown and open. */
export async function openShortQuestion(url: string, code: string, password: string): Promise<QuizSession> {
  const host = await hostSession(url, code, password);
  await command(host, { command: 'show', index: 1 });
  await command(host, { command: 'open' });
  return host;
}
