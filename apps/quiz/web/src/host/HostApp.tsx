import { HostLivePage } from '../pages/HostLivePage.tsx';
import { ResultsPage } from '../pages/ResultsPage.tsx';
import { HostPage } from '../pages/HostPage.tsx';
import { HostGate } from './HostGate.tsx';

/** Everything only the host needs, in its own chunk: a player's phone never downloads it. */
export function HostApp({ liveId, results = false }: { liveId: string | null; results?: boolean }) {
  // One gate for the host pages, so moving between them does not check the password again.
  return (
    <HostGate>
      {(api) =>
        liveId === null ? <HostPage api={api} /> : results ? <ResultsPage key={liveId} api={api} liveId={liveId} /> : <HostLivePage key={liveId} api={api} liveId={liveId} />
      }
    </HostGate>
  );
}
