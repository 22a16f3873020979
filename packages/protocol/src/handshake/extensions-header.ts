/**
 * `Sec-WebSocket-Extensions` values, RFC 6455 §9.1:
 *
 *   Sec-WebSocket-Extensions = extension-list
 *   extension-list = 1#extension
 *   extension = extension-token *( ";" extension-param )
 *   extension-param = token [ "=" (token | quoted-string) ]
 *     ; When using the quoted-string syntax variant, the value after quoted-string unescaping
 *     ; MUST conform to the 'token' ABNF.
 *
 * The same extension may appear several times: in a client's offer, each is an alternative, most
 * preferred first (RFC 6455 §9.1, RFC 7692 §5). Parameters keep their order and duplicates, since
 * an extension must decline an offer with a repeated parameter (RFC 7692 §7) and so has to see it.
 */

import { isOptionalWhitespace, isToken } from './header-tokens.js';

export interface ExtensionParam {
  readonly name: string;
  /** The unescaped value, or null for a parameter written without `=`. */
  readonly value: string | null;
}

export interface ExtensionOffer {
  readonly name: string;
  readonly params: readonly ExtensionParam[];
}

export type ParseExtensionsResult =
  | { readonly ok: true; readonly extensions: ExtensionOffer[] }
  | { readonly ok: false; readonly error: string };

/**
 * Parses a header value. Never throws: a malformed value gives `{ ok: false, error }` naming what
 * was wrong and where. An empty value (or one of only commas) gives no extensions: RFC 7230 §7 asks
 * recipients to ignore empty list elements.
 */
export function parseExtensions(header: string): ParseExtensionsResult {
  const cursor = new Cursor(header);
  const extensions: ExtensionOffer[] = [];

  while (true) {
    cursor.skipWhitespace();
    if (cursor.atEnd()) break;
    if (cursor.peek() === ',') {
      cursor.advance(); // an empty list element
      continue;
    }

    const name = cursor.readToken();
    if (name === '') return cursor.fail('expected an extension name');
    const params: ExtensionParam[] = [];
    cursor.skipWhitespace();
    while (cursor.peek() === ';') {
      cursor.advance();
      cursor.skipWhitespace();
      const paramName = cursor.readToken();
      if (paramName === '') return cursor.fail(`expected a parameter name for extension "${name}"`);
      cursor.skipWhitespace();
      let value: string | null = null;
      if (cursor.peek() === '=') {
        cursor.advance();
        cursor.skipWhitespace();
        const read = cursor.peek() === '"' ? cursor.readQuotedString() : cursor.readToken();
        if (read === null) return cursor.fail(`unterminated or malformed quoted value for parameter "${paramName}"`);
        // §9.1: a value, quoted or not, must be a token once unescaped.
        if (!isToken(read)) return cursor.fail(`the value of parameter "${paramName}" must be a token`);
        value = read;
        cursor.skipWhitespace();
      }
      params.push({ name: paramName, value });
    }
    extensions.push({ name, params });

    if (cursor.atEnd()) break;
    if (cursor.peek() !== ',') return cursor.fail('expected "," or ";"');
    cursor.advance();
  }
  return { ok: true, extensions };
}

/**
 * Writes extensions back as a header value, `name; param; param=value` joined with ", ".
 * Names and values must be tokens (values then never need quoting); anything else throws a
 * TypeError, which also keeps CR/LF out of the header.
 */
export function serializeExtensions(extensions: readonly ExtensionOffer[]): string {
  return extensions.map(serializeExtension).join(', ');
}

export function serializeExtension(extension: ExtensionOffer): string {
  requireToken(extension.name, 'extension name');
  let text = extension.name;
  for (const param of extension.params) {
    requireToken(param.name, 'extension parameter name');
    text += `; ${param.name}`;
    if (param.value !== null) {
      requireToken(param.value, `value of extension parameter ${param.name}`);
      text += `=${param.value}`;
    }
  }
  return text;
}

function requireToken(value: string, what: string): void {
  if (typeof value !== 'string' || !isToken(value)) {
    throw new TypeError(`Invalid ${what}: ${JSON.stringify(value)} is not an RFC 7230 token`);
  }
}

/** A read position over the header value, with the few lexical rules §9.1 uses. */
class Cursor {
  readonly #text: string;
  #position = 0;

  constructor(text: string) {
    this.#text = text;
  }

  atEnd(): boolean {
    return this.#position >= this.#text.length;
  }

  peek(): string {
    return this.#text.charAt(this.#position);
  }

  advance(): void {
    this.#position++;
  }

  skipWhitespace(): void {
    while (!this.atEnd() && isOptionalWhitespace(this.#text.charCodeAt(this.#position))) this.#position++;
  }

  /** The longest run of token characters from here; '' when there is none. */
  readToken(): string {
    const start = this.#position;
    while (!this.atEnd() && isToken(this.peek())) this.#position++;
    return this.#text.slice(start, this.#position);
  }

  /**
   * RFC 7230 §3.2.6: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE, with
   * qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text and quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ).
   * Returns the unescaped content, or null if it is unterminated or holds a forbidden character.
   */
  readQuotedString(): string | null {
    this.advance(); // the opening DQUOTE
    let content = '';
    while (!this.atEnd()) {
      const char = this.peek();
      const code = char.charCodeAt(0);
      this.advance();
      if (char === '"') return content;
      if (char === '\\') {
        if (this.atEnd()) return null;
        const escaped = this.peek();
        if (!isQuotedPairChar(escaped.charCodeAt(0))) return null;
        content += escaped;
        this.advance();
      } else if (isQdtext(code)) {
        content += char;
      } else {
        return null;
      }
    }
    return null;
  }

  fail(message: string): { ok: false; error: string } {
    const found = this.atEnd() ? 'end of input' : `${JSON.stringify(this.peek())}`;
    return { ok: false, error: `${message} at index ${this.#position} (found ${found})` };
  }
}

function isQdtext(code: number): boolean {
  return (
    code === 0x09 ||
    code === 0x20 ||
    code === 0x21 ||
    (code >= 0x23 && code <= 0x5b) ||
    (code >= 0x5d && code <= 0x7e) ||
    (code >= 0x80 && code <= 0xff)
  );
}

function isQuotedPairChar(code: number): boolean {
  return code === 0x09 || code === 0x20 || (code >= 0x21 && code <= 0x7e) || (code >= 0x80 && code <= 0xff);
}
