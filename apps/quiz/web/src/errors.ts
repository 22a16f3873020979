import { AckError } from '@baro/client';

/** A sentence for the UI from whatever a request or an acknowledged event failed with. */
export function errorMessage(error: unknown): string {
  if (error instanceof AckError) {
    switch (error.reason) {
      case 'timeout':
        return 'No answer from the server. Try again.';
      case 'closed':
        return 'The connection was closed. Reload the page to continue.';
      default:
        return `The server could not take it (${error.message}).`;
    }
  }
  return error instanceof Error ? error.message : String(error);
}
