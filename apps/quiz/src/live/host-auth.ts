import { timingSafeEqual } from 'node:crypto';
import { generateSecret, hashSecret } from '../store/store.js';
import { AddressBuckets } from './address-buckets.js';

/** The shortest host password accepted (the generated one has 16 characters). */
export const HOST_PASSWORD_MIN_LENGTH = 16;

export interface HostAuthOptions {
  /** Wrong passwords or tokens one address may send a minute (and in a burst) before it is told to wait. Default 10. */
  failuresPerMinute?: number;
  /** How long a host session token stays good. Default 12 h. */
  tokenTtlMs?: number;
  /** Tokens kept at most; past it the oldest is dropped. Default 1,000. */
  maxTokens?: number;
  now?: () => number;
}

export const DEFAULT_HOST_FAILURES_PER_MINUTE = 10;
export const DEFAULT_HOST_TOKEN_TTL_MS = 12 * 60 * 60 * 1000;

/** `ok`, `wrong` (counted against the address), `missing` (nothing was tried), or `throttled`: wait `retryAfterMs`. */
export type HostCheck = { status: 'ok' } | { status: 'wrong' } | { status: 'missing' } | { status: 'throttled'; retryAfterMs: number };

export interface HostToken {
  token: string;
  expiresAt: number;
}

/**
 * The host's credentials: the password, compared in constant time (over hashes, so lengths do not
 * leak either), and the session tokens a host page gets for it, so that the page keeps a token
 * that expires rather than the password. Tokens are kept hashed and in memory: after a restart the
 * host signs in again (the printed link carries the password). Wrong guesses are limited per address.
 */
export class HostAuth {
  readonly #digest: Buffer;
  /** hash of a token → when it expires. */
  readonly #tokens = new Map<string, number>();
  readonly #failures: AddressBuckets;
  readonly #ttlMs: number;
  readonly #maxTokens: number;
  readonly #now: () => number;

  constructor(password: string, options: HostAuthOptions = {}) {
    if (password.length < HOST_PASSWORD_MIN_LENGTH) {
      throw new Error(`the host password needs at least ${HOST_PASSWORD_MIN_LENGTH} characters (QUIZ_HOST_PASSWORD, or <db>.host-password)`);
    }
    this.#digest = digest(password);
    this.#now = options.now ?? Date.now;
    this.#ttlMs = options.tokenTtlMs ?? DEFAULT_HOST_TOKEN_TTL_MS;
    this.#maxTokens = options.maxTokens ?? 1000;
    const perMinute = options.failuresPerMinute ?? DEFAULT_HOST_FAILURES_PER_MINUTE;
    this.#failures = new AddressBuckets({ perMinute, now: this.#now });
  }

  /**
   * A password or a token from `address`. An address that sent too many wrong ones is refused
   * before its credential is even compared, whether it is right or not: a guesser learns nothing.
   */
  check(credential: unknown, address: string): HostCheck {
    if (typeof credential !== 'string' || credential === '') return { status: 'missing' };
    const wait = this.#failures.wait(address);
    if (wait > 0) return { status: 'throttled', retryAfterMs: wait };
    if (credential.length <= 1024 && (this.#validToken(credential) || timingSafeEqual(digest(credential), this.#digest))) return { status: 'ok' };
    this.#failures.take(address);
    return { status: 'wrong' };
  }

  /** A request's `Authorization: Bearer <password or token>`. */
  checkHeader(header: string | undefined, address: string): HostCheck {
    return this.check(/^Bearer (.+)$/.exec(header ?? '')?.[1], address);
  }

  /** A new session token (call once the password was checked). */
  issueToken(): HostToken {
    const token = generateSecret();
    const expiresAt = this.#now() + this.#ttlMs;
    if (this.#tokens.size >= this.#maxTokens) this.#dropExpired();
    if (this.#tokens.size >= this.#maxTokens) this.#tokens.delete(this.#tokens.keys().next().value!);
    this.#tokens.set(hashSecret(token), expiresAt);
    return { token, expiresAt };
  }

  /** Forgets a token (sign out). */
  revokeToken(token: string): void {
    this.#tokens.delete(hashSecret(token));
  }

  #validToken(candidate: string): boolean {
    const key = hashSecret(candidate);
    const expiresAt = this.#tokens.get(key);
    if (expiresAt === undefined) return false;
    if (expiresAt > this.#now()) return true;
    this.#tokens.delete(key);
    return false;
  }

  #dropExpired(): void {
    const now = this.#now();
    for (const [key, expiresAt] of this.#tokens) if (expiresAt <= now) this.#tokens.delete(key);
  }
}

const digest = (text: string): Buffer => Buffer.from(hashSecret(text));
