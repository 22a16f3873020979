import { HostLivePage } from '../pages/HostLivePage.tsx';
import { HostPage } from '../pages/HostPage.tsx';
import { HostGate } from './HostGate.tsx';

/** Everything only the host needs, in its own chunk: a player's phone never downloads it. */
export function HostApp({ liveId }: { liveId: string | null }) {
  // One gate for both host pages, so moving between them does not check the password again.
  return <HostGate>{(api) => (liveId === null ? <HostPage api={api} /> : <HostLivePage key={liveId} api={api} liveId={liveId} />)}</HostGate>;
}
