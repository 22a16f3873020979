import { HostGate } from './host/HostGate.tsx';
import { HostLivePage } from './pages/HostLivePage.tsx';
import { HostPage } from './pages/HostPage.tsx';
import { LandingPage } from './pages/LandingPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { PlayerPage } from './pages/PlayerPage.tsx';
import { useRoute } from './router.ts';

export function App() {
  const route = useRoute();
  switch (route.page) {
    case 'landing':
      return <LandingPage />;
    case 'join':
      // Keyed: another code is another session, with its own connection.
      return <PlayerPage key={route.code} code={route.code} />;
    case 'host':
    case 'host-live':
      // One gate for both host pages, so moving between them does not check the password again.
      return (
        <HostGate>
          {(api) => (route.page === 'host' ? <HostPage api={api} /> : <HostLivePage key={route.liveId} api={api} liveId={route.liveId} />)}
        </HostGate>
      );
    case 'not-found':
      return <NotFoundPage />;
  }
}
