import type { ServerResponse } from 'node:http';

/** The reference server's error codes, which clients read from the JSON body of a refused request. */
export const EngineErrorCode = {
  UNKNOWN_TRANSPORT: 0,
  UNKNOWN_SID: 1,
  BAD_HANDSHAKE_METHOD: 2,
  BAD_REQUEST: 3,
  FORBIDDEN: 4,
  UNSUPPORTED_PROTOCOL_VERSION: 5,
} as const;

export type EngineErrorCode = (typeof EngineErrorCode)[keyof typeof EngineErrorCode];

export const ENGINE_ERROR_MESSAGES: Readonly<Record<EngineErrorCode, string>> = {
  0: 'Transport unknown',
  1: 'Session ID unknown',
  2: 'Bad handshake method',
  3: 'Bad request',
  4: 'Forbidden',
  5: 'Unsupported protocol version',
};

/** Why a request was refused: the reference code, the message, and baro's own status for its limits. */
export interface EngineRefusal {
  code: EngineErrorCode;
  message: string;
  /** 400 (403 for FORBIDDEN) as the reference, or baro's status for a limit (429, 503). */
  status: number;
  headers?: Record<string, string>;
}

export function engineRefusal(code: EngineErrorCode, message: string = ENGINE_ERROR_MESSAGES[code]): EngineRefusal {
  return { code, message, status: code === EngineErrorCode.FORBIDDEN ? 403 : 400 };
}

/** Answers a refused HTTP request as the reference does: the status and `{"code","message"}` as JSON. */
export function answerRefusal(response: ServerResponse, refusal: EngineRefusal, extraHeaders: Record<string, string>): void {
  if (response.headersSent) {
    if (!response.writableEnded) response.end();
    return;
  }
  const body = JSON.stringify({ code: refusal.code, message: refusal.message });
  response.writeHead(refusal.status, { ...extraHeaders, ...refusal.headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}
