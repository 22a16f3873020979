import { useCallback, useState } from 'preact/hooks';
import { LanguageSwitch } from '../components/LanguageSwitch.tsx';
import { useT } from '../i18n/index.ts';
import type { HostApi } from '../api.ts';
import { Link } from '../components/Link.tsx';
import { ImportQuiz } from '../host/ImportQuiz.tsx';
import { LiveList } from '../host/LiveList.tsx';
import { QuizEditor } from '../host/QuizEditor.tsx';
import { QuizList } from '../host/QuizList.tsx';
import { useLoader } from '../use-loader.ts';

/** The host's dashboard: quizzes (create, import, edit, delete, start) and live sessions. */
export function HostPage({ api }: { api: HostApi }) {
  const t = useT();
  const quizzes = useLoader(useCallback(() => api.quizzes(), [api]));
  const lives = useLoader(useCallback(() => api.lives(), [api]));
  /** The quiz being edited: null for a new one. */
  const [editing, setEditing] = useState<{ quizId: string | null } | null>(null);

  if (editing) {
    const close = (saved: boolean): void => {
      setEditing(null);
      if (saved) quizzes.reload();
    };
    return (
      <main class="page">
        <QuizEditor api={api} quizId={editing.quizId} onClose={close} />
      </main>
    );
  }

  return (
    <main class="page">
      <header class="bar">
        <h1>{t.dashboard.title}</h1>
        <Link href="/">{t.dashboard.playerPage}</Link>
      </header>
      <section class="card stack">
        <div class="row wrap">
          <h2 class="grow">{t.dashboard.quizzes}</h2>
          <button class="primary" data-testid="new-quiz" onClick={() => setEditing({ quizId: null })}>
            {t.dashboard.newQuiz}
          </button>
        </div>
        <ImportQuiz api={api} onImported={quizzes.reload} />
        {quizzes.error && (
          <p class="error" role="alert">
            {quizzes.error}
          </p>
        )}
        {quizzes.data && <QuizList api={api} quizzes={quizzes.data} onEdit={(quizId) => setEditing({ quizId })} onChanged={quizzes.reload} />}
      </section>
      <section class="card stack">
        <div class="row">
          <h2 class="grow">{t.dashboard.lives}</h2>
          <button onClick={lives.reload}>{t.dashboard.refresh}</button>
        </div>
        {lives.error && (
          <p class="error" role="alert">
            {lives.error}
          </p>
        )}
        {lives.data && <LiveList api={api} lives={lives.data} onChanged={lives.reload} />}
      </section>
      <LanguageSwitch />
    </main>
  );
}
