import { AckError } from '@baro/client';
import { messages } from './i18n/index.ts';

/** A sentence for the UI from whatever a request or an acknowledged event failed with. */
export function errorMessage(error: unknown): string {
  const t = messages();
  if (error instanceof AckError) {
    switch (error.reason) {
      case 'timeout':
        return t.errors.timeout;
      case 'closed':
        return t.errors.closed;
      default:
        return t.errors.generic;
    }
  }
  return error instanceof Error ? error.message : String(error);
}
