/**
 * The JavaScript callback name jsonp and htmlfile responses call: it lands in a script verbatim, so
 * only a safe alphabet passes. jsonp also caps the length at 32, as the reference does.
 */
export type CallbackCheck = { ok: true; callback: string } | { ok: false; message: string };

const UNSAFE = /[^a-zA-Z0-9-_.]/;
export const JSONP_CALLBACK_MAX_LENGTH = 32;

export function checkCallback(query: URLSearchParams, maxLength = Infinity): CallbackCheck {
  const callback = query.has('c') ? query.get('c') : query.get('callback');
  if (callback === null) return { ok: false, message: '"callback" parameter required' };
  if (UNSAFE.test(callback) || callback.length > maxLength) return { ok: false, message: 'invalid "callback" parameter' };
  return { ok: true, callback };
}
