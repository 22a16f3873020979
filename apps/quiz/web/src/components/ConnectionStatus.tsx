import type { Connection } from '../realtime.ts';

const LABELS = { connecting: 'connecting…', reconnecting: 'reconnecting…', closed: 'disconnected' } as const;

export function ConnectionStatus({ connection: { state, transport } }: { connection: Connection }) {
  return (
    <p class={`connection connection-${state}`} data-testid="connection-status" data-state={state} data-transport={transport ?? ''}>
      <span class="dot" aria-hidden="true" />
      {state === 'open' ? (transport ?? 'connected') : LABELS[state]}
    </p>
  );
}
