/**
 * Small readers and writers for HTTP/1.1 header fields (RFC 7230 §3.2), as the handshake needs them.
 * Incoming headers come in the shape Node's `IncomingMessage.headers` has: lower-case names, a
 * repeated field either joined with ", " or, for some fields, an array of values.
 */

/** One header as Node hands it over. */
export type HeaderValue = string | readonly string[] | undefined;

/** Incoming headers: keys are header names, normally lower-case. */
export type HeaderMap = Readonly<Record<string, HeaderValue>>;

/** Headers to write: a list value becomes one line per element (e.g. `Set-Cookie`). */
export type OutgoingHeaders = Readonly<Record<string, string | readonly string[]>>;

/**
 * RFC 7230 §3.2.6: token = 1*tchar;
 * tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
 */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isToken(value: string): boolean {
  return TOKEN.test(value);
}

/** RFC 7230 §3.2.3: OWS = *( SP / HTAB ). Not String#trim, which also eats other whitespace. */
export function trimOptionalWhitespace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isOptionalWhitespace(value.charCodeAt(start))) start++;
  while (end > start && isOptionalWhitespace(value.charCodeAt(end - 1))) end--;
  return value.slice(start, end);
}

export function isOptionalWhitespace(charCode: number): boolean {
  return charCode === 0x20 || charCode === 0x09;
}

/**
 * Every occurrence of a header, as given: one entry per array element or one for a plain string.
 * The name is matched case-insensitively (RFC 7230 §3.2), so hand-built objects with `Host` work too.
 */
export function getHeaderValues(headers: HeaderMap, name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = headers[key];
    if (typeof value === 'string') values.push(value);
    else if (Array.isArray(value)) values.push(...(value as readonly string[]));
  }
  return values;
}

/**
 * The field value of a header, repeated occurrences joined with ", " (RFC 7230 §3.2.2 says that is
 * equivalent for list-valued fields), or undefined when absent.
 */
export function getHeader(headers: HeaderMap, name: string): string | undefined {
  const values = getHeaderValues(headers, name);
  return values.length === 0 ? undefined : values.join(', ');
}

/**
 * Splits a `#element` list (RFC 7230 §7) into trimmed elements. Empty elements (`a, , b`) are
 * dropped, as §7 asks recipients to accept and ignore them.
 */
export function splitHeaderList(value: string): string[] {
  const elements: string[] = [];
  for (const part of value.split(',')) {
    const element = trimOptionalWhitespace(part);
    if (element !== '') elements.push(element);
  }
  return elements;
}

/**
 * Whether a comma list contains a token, compared ASCII case-insensitively: RFC 6455 §4.2.1 treats
 * both `Upgrade: websocket` and `Connection: Upgrade` that way, and `Connection: keep-alive, Upgrade`
 * (what Firefox sends) must count.
 */
export function headerListHasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  const wanted = token.toLowerCase();
  return splitHeaderList(value).some((element) => element.toLowerCase() === wanted);
}

/** CR or LF would end the header line early (header injection); NUL is refused by RFC 7230 §3.2.4 parsers. */
const FORBIDDEN_IN_VALUE = /[\r\n\0]/;

/**
 * Formats `Name: value\r\n` lines. Throws a TypeError when a name is not a token or a value holds
 * CR, LF or NUL: writing either would let a caller's string add headers or end the head early.
 * `reserved` (lower-case) names are the ones the caller writes itself and may not be repeated.
 */
export function formatHeaderLines(headers: OutgoingHeaders, reserved: ReadonlySet<string> = new Set()): string {
  let lines = '';
  for (const name of Object.keys(headers)) {
    if (!isToken(name)) throw new TypeError(`Invalid header name: ${JSON.stringify(name)}`);
    if (reserved.has(name.toLowerCase())) {
      throw new TypeError(`The ${name} header is written by the handshake and cannot be set here`);
    }
    const value = headers[name];
    const values: readonly string[] = typeof value === 'string' ? [value] : value;
    for (const single of values) lines += formatHeaderLine(name, single);
  }
  return lines;
}

export function formatHeaderLine(name: string, value: string): string {
  if (!isToken(name)) throw new TypeError(`Invalid header name: ${JSON.stringify(name)}`);
  if (typeof value !== 'string' || FORBIDDEN_IN_VALUE.test(value)) {
    throw new TypeError(`Invalid value for header ${name}: ${JSON.stringify(value)} (CR, LF and NUL are not allowed)`);
  }
  return `${name}: ${value}\r\n`;
}
