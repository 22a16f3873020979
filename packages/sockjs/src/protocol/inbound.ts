/**
 * What clients send: `xhr_send` and `jsonp_send` bodies and SockJS WebSocket frames, all JSON
 * arrays of strings. Errors carry the reference server's status and text.
 */

export type Inbound = { ok: true; messages: unknown[] } | { ok: false; status: 500; message: string };

export const PAYLOAD_EXPECTED = 'Payload expected.';
export const BROKEN_JSON = 'Broken JSON encoding.';

const payloadExpected = { ok: false, status: 500, message: PAYLOAD_EXPECTED } as const;
const brokenJson = { ok: false, status: 500, message: BROKEN_JSON } as const;

/** Content types the reference reads an `xhr_send` body from; other types count as no body. */
const XHR_CONTENT_TYPES = new Set(['text/plain', 'T', 'application/json', 'application/xml', '', 'text/xml']);

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0];
}

function parseArray(text: string): Inbound {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return brokenJson;
  }
  return Array.isArray(value) ? { ok: true, messages: value } : payloadExpected;
}

/** `POST .../xhr_send`: the body is a JSON array of messages. */
export function parseXhrSend(body: string, contentType: string | undefined): Inbound {
  if (!XHR_CONTENT_TYPES.has(mediaType(contentType)) || body === '') return payloadExpected;
  return parseArray(body);
}

/**
 * `POST .../jsonp_send`: a form with the array in field `d`, or (text/plain, no type) the array as
 * the raw body.
 */
export function parseJsonpSend(body: string, contentType: string | undefined): Inbound {
  const type = mediaType(contentType);
  if (type === 'application/x-www-form-urlencoded') {
    const d = new URLSearchParams(body).getAll('d');
    // querystring.parse, which the reference uses, turns a repeated field into an array of messages.
    if (d.length > 1) return { ok: true, messages: d };
    if (d.length === 0 || d[0] === '') return payloadExpected;
    return parseArray(d[0]);
  }
  if ((type !== 'text/plain' && type !== '') || body === '') return payloadExpected;
  return parseArray(body);
}

/**
 * One WebSocket message on a SockJS session: a JSON array of messages, or (as old clients send)
 * one JSON string. Empty messages are ignored. `null` means the framing is broken.
 */
export function parseWebSocketMessage(text: string): unknown[] | null {
  if (text.length === 0) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (text[0] === '[') return value as unknown[];
  return [value];
}

/**
 * Clients send strings; anything else in the array (a number, an object) is handed on as its JSON
 * text, so `data` listeners always get a string.
 */
export function messageText(message: unknown): string {
  return typeof message === 'string' ? message : JSON.stringify(message) ?? 'null';
}
