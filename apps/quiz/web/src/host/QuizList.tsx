import { useState } from 'preact/hooks';
import type { QuizSummary } from '../../../src/shared/protocol.ts';
import type { HostApi } from '../api.ts';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { errorMessage } from '../errors.ts';
import { useT } from '../i18n/index.ts';
import { navigate } from '../router.ts';

interface Props {
  api: HostApi;
  quizzes: QuizSummary[];
  onEdit: (quizId: string) => void;
  onChanged: () => void;
}

export function QuizList({ api, quizzes, onEdit, onChanged }: Props) {
  const t = useT();
  const [busyId, setBusyId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async (quizId: string, action: () => Promise<void>): Promise<void> => {
    setBusyId(quizId);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusyId(null);
    }
  };

  const start = (quiz: QuizSummary): Promise<void> =>
    run(quiz.id, async () => {
      const live = await api.startLive(quiz.id);
      navigate(`/host/live/${encodeURIComponent(live.id)}`);
    });

  const remove = (quiz: QuizSummary): Promise<void> =>
    run(quiz.id, async () => {
      await api.deleteQuiz(quiz.id);
      onChanged();
    });

  return (
    <>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {quizzes.length === 0 && <p class="muted">{t.dashboard.noQuizzes}</p>}
      <ul class="list" data-testid="quiz-list">
        {quizzes.map((quiz) => (
          <li key={quiz.id} class="list-item" data-testid="quiz-item" data-quiz-id={quiz.id} data-title={quiz.title}>
            <div class="grow">
              <strong>{quiz.title}</strong>
              <p class="muted small">
                {quiz.mode} · {t.dashboard.questions(quiz.questionCount)}
              </p>
            </div>
            <div class="row wrap">
              <button class="primary" data-testid="start-live" disabled={busyId !== null} onClick={() => start(quiz)}>
                {t.dashboard.start}
              </button>
              <button data-testid="edit-quiz" disabled={busyId !== null} onClick={() => onEdit(quiz.id)}>
                {t.dashboard.edit}
              </button>
              <ConfirmButton class="danger" testId="delete-quiz" disabled={busyId !== null} question={t.host.confirmDelete(quiz.title)} onConfirm={() => void remove(quiz)}>
                {t.dashboard.delete}
              </ConfirmButton>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}
