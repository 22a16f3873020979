import { useEffect, useState } from 'preact/hooks';
import { useT } from './i18n/index.ts';
import type { HostApp as HostAppComponent } from './host/HostApp.tsx';
import { LandingPage } from './pages/LandingPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { PlayerPage } from './pages/PlayerPage.tsx';
import { PresenterPage } from './pages/PresenterPage.tsx';
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
      return <LazyHost liveId={route.page === 'host-live' ? route.liveId : null} />;
    case 'host-results':
      return <LazyHost liveId={route.liveId} results />;
    case 'present':
      return <PresenterPage key={route.liveId} liveId={route.liveId} />;
    case 'not-found':
      return <NotFoundPage />;
  }
}

function LazyHost({ liveId, results = false }: { liveId: string | null; results?: boolean }) {
  const [HostApp, setHostApp] = useState<typeof HostAppComponent | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import('./host/HostApp.tsx').then(
      (module) => setHostApp(() => module.HostApp),
      () => setFailed(true),
    );
  }, []);
  const t = useT();
  if (failed) return <p class="page error">{t.errors.generic}</p>;
  return HostApp ? <HostApp liveId={liveId} results={results} /> : <p class="page muted">{t.loading}</p>;
}
