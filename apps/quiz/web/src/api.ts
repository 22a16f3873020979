import type { ApiError, HostTokenReply, ImageUploaded, JoinInfo, LiveSummary, QuizSummary, QuizUpload, SessionReport } from '../../src/shared/protocol.ts';
import type { QuizDetail } from './host/quiz-file.ts';

/** A failed API call: the HTTP status (0 when the server was not reached) and the server's error. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(body.error);
  }

  /** The error and its detail lines (a quiz file's errors), for display. */
  get lines(): string[] {
    return [this.body.error, ...(this.body.details ?? [])];
  }
}

function isApiError(value: unknown): value is ApiError {
  return typeof value === 'object' && value !== null && typeof (value as { error?: unknown }).error === 'string';
}

async function errorBody(response: Response): Promise<ApiError> {
  try {
    const body: unknown = await response.json();
    if (isApiError(body)) return body;
  } catch {
    // Not JSON (a proxy's error page, say): the status line has to do.
  }
  return { error: `${response.status} ${response.statusText}`.trim() };
}

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiFailure(0, { error: 'Could not reach the server.' });
  }
  if (!response.ok) throw new ApiFailure(response.status, await errorBody(response));
  return response;
}

const sendJson = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

const segment = encodeURIComponent;

export async function fetchJoinInfo(code: string): Promise<JoinInfo> {
  return (await call(`/api/join/${segment(code)}`)).json() as Promise<JoinInfo>;
}

const bearer = (credential: string): RequestInit => ({ headers: { Authorization: `Bearer ${credential}` } });

/** The password traded for a sign-in token; null for a wrong password. Throws when the server can't say (or says wait: 429). */
export async function exchangeHostPassword(password: string): Promise<HostTokenReply | null> {
  try {
    return (await (await call('/api/auth/token', { method: 'POST', ...bearer(password) })).json()) as HostTokenReply;
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 401) return null;
    throw error;
  }
}

/** True while the server still takes the token, false once it does not (expired, or the server restarted). */
export async function checkHostToken(token: string): Promise<boolean> {
  try {
    await call('/api/auth', bearer(token));
    return true;
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 401) return false;
    throw error;
  }
}

/** The host's API calls, with the sign-in token; a 401 (expired meanwhile) signs the host out. */
export class HostApi {
  constructor(
    readonly token: string,
    private readonly onUnauthorized: () => void,
  ) {}

  async #call(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${this.token}`);
    try {
      return await call(path, { ...init, headers });
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 401) this.onUnauthorized();
      throw error;
    }
  }

  async #json<T>(path: string, init?: RequestInit): Promise<T> {
    return (await this.#call(path, init)).json() as Promise<T>;
  }

  quizzes(): Promise<QuizSummary[]> {
    return this.#json('/api/quizzes');
  }

  quiz(id: string): Promise<QuizDetail> {
    return this.#json(`/api/quizzes/${segment(id)}`);
  }

  /** Creates a quiz, or replaces quiz `id`. */
  async saveQuiz(upload: QuizUpload, id?: string): Promise<void> {
    await this.#call(id === undefined ? '/api/quizzes' : `/api/quizzes/${segment(id)}`, sendJson(id === undefined ? 'POST' : 'PUT', upload));
  }

  async archive(liveId: string, archived: boolean): Promise<void> {
    await this.#call(`/api/live/${segment(liveId)}/archive`, sendJson('POST', { archived }));
  }

  report(liveId: string): Promise<SessionReport> {
    return this.#json(`/api/live/${segment(liveId)}/report`);
  }

  /** Stores a picture for a question or an option; resolves to its id. */
  async uploadImage(file: Blob): Promise<ImageUploaded> {
    return this.#json('/api/images', { method: 'POST', headers: { 'content-type': file.type }, body: file });
  }

  async deleteQuiz(id: string): Promise<void> {
    await this.#call(`/api/quizzes/${segment(id)}`, { method: 'DELETE' });
  }

  startLive(quizId: string): Promise<LiveSummary> {
    return this.#json(`/api/quizzes/${segment(quizId)}/live`, { method: 'POST' });
  }

  lives(): Promise<LiveSummary[]> {
    return this.#json('/api/live');
  }

  /** A live session's CSV export (`results` or `submissions`). */
  async csv(liveId: string, name: 'results' | 'submissions'): Promise<Blob> {
    return (await this.#call(`/api/live/${segment(liveId)}/${name}.csv`)).blob();
  }
}
