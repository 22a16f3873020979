import { useCallback } from 'preact/hooks';
import { ApiFailure, fetchJoinInfo } from '../api.ts';
import { Link } from '../components/Link.tsx';
import { messages, useT } from '../i18n/index.ts';
import { PlayerRoom } from '../player/PlayerRoom.tsx';
import { useLoader } from '../use-loader.ts';

export function PlayerPage({ code }: { code: string }) {
  const load = useCallback(
    () =>
      fetchJoinInfo(code).catch((error: unknown) => {
        throw error instanceof ApiFailure && error.status === 404 ? new Error(messages().landing.noQuiz(code)) : error;
      }),
    [code],
  );
  const { data: info, error } = useLoader(load);
  const t = useT();
  if (info) return <PlayerRoom code={code} info={info} />;
  return (
    <main class="page narrow">
      {error ? (
        <>
          <p class="card error" role="alert">
            {error}
          </p>
          <p class="center">
            <Link href="/">{t.landing.tryAnother}</Link>
          </p>
        </>
      ) : (
        <p class="muted center">{t.loading}</p>
      )}
    </main>
  );
}
