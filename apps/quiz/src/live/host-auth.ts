import { timingSafeEqual } from 'node:crypto';
import { hashSecret } from '../store/store.js';

/** The host password, compared in constant time (over hashes, so lengths do not leak either). */
export class HostAuth {
  readonly #digest: Buffer;

  constructor(password: string) {
    if (password.length < 8) throw new Error('the host password needs at least 8 characters');
    this.#digest = digest(password);
  }

  check(candidate: unknown): boolean {
    return typeof candidate === 'string' && candidate.length <= 1024 && timingSafeEqual(digest(candidate), this.#digest);
  }

  /** A request's `Authorization: Bearer <password>`. */
  checkHeader(header: string | undefined): boolean {
    const match = /^Bearer (.+)$/.exec(header ?? '');
    return match !== null && this.check(match[1]);
  }
}

const digest = (text: string): Buffer => Buffer.from(hashSecret(text));
