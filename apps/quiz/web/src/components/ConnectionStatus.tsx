import { useT } from '../i18n/index.ts';
import type { Connection } from '../realtime.ts';

/** The link to the server in plain words: which transport carries it is for the host's table, not for players. */
export function ConnectionStatus({ connection: { state, transport } }: { connection: Connection }) {
  const t = useT();
  return (
    <p class={`connection connection-${state}`} data-testid="connection-status" data-state={state} data-transport={transport ?? ''} role="status">
      <span class="dot" aria-hidden="true" />
      {t.connection[state]}
    </p>
  );
}
