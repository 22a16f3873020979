import { useEffect, useState } from 'preact/hooks';
import type { QuizMode, QuizUpload } from '../../../src/shared/protocol.ts';
import { ApiFailure, type HostApi } from '../api.ts';
import { ErrorLines } from '../components/ErrorLines.tsx';
import { errorMessage } from '../errors.ts';
import { useT } from '../i18n/index.ts';
import { QuestionEditor } from './QuestionEditor.tsx';
import { emptyQuiz, fromQuizFile, newQuestion, toQuizFile, type QuestionDraft, type QuizDraft } from './quiz-draft.ts';

type PasteFormat = 'markdown' | 'json';

const MODES: QuizMode[] = ['cotato', 'speed'];

const MARKDOWN_EXAMPLE = `# My quiz
mode: cotato

## What is the capital of Korea?
- [x] Seoul
- [ ] Busan

## 7 × 6 = ?
answer: 42 | forty-two
time: 20`;

/** Creating (quizId null) or editing a quiz: a form, or pasted Markdown/JSON. The server validates either. */
export function QuizEditor({ api, quizId, onClose }: { api: HostApi; quizId: string | null; onClose: (saved: boolean) => void }) {
  const t = useT();
  const [draft, setDraft] = useState<QuizDraft | null>(quizId === null ? emptyQuiz() : null);
  const [source, setSource] = useState<'form' | 'paste'>('form');
  const [paste, setPaste] = useState<{ format: PasteFormat; text: string }>({ format: 'markdown', text: '' });
  const [errors, setErrors] = useState<string[] | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (quizId === null) return;
    let current = true;
    api.quiz(quizId).then(
      (detail) => current && setDraft(fromQuizFile(detail.file)),
      (error: unknown) => current && setErrors([errorMessage(error)]),
    );
    return () => {
      current = false;
    };
  }, [api, quizId]);

  const updateQuestions = (update: (questions: QuestionDraft[]) => QuestionDraft[]): void =>
    setDraft((current) => current && { ...current, questions: update(current.questions) });

  const move = (from: number, delta: -1 | 1): void =>
    updateQuestions((questions) => {
      const moved = [...questions];
      [moved[from], moved[from + delta]] = [moved[from + delta], moved[from]];
      return moved;
    });

  const showPaste = (): void => {
    // An edited quiz starts out as its JSON, so pasting can begin from what is there.
    if (draft && quizId !== null && paste.text === '') setPaste({ format: 'json', text: JSON.stringify(toQuizFile(draft), null, 2) });
    setSource('paste');
  };

  const save = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (!draft && source === 'form') return;
    const upload: QuizUpload = source === 'paste' || !draft ? paste : { format: 'value', quiz: toQuizFile(draft) };
    setSaving(true);
    setErrors(null);
    try {
      await api.saveQuiz(upload, quizId ?? undefined);
      onClose(true);
    } catch (error) {
      setErrors(error instanceof ApiFailure ? error.lines : [errorMessage(error)]);
      setSaving(false);
    }
  };

  return (
    <form class="card stack editor" onSubmit={save}>
      <div class="row wrap">
        <h2 class="grow">{quizId === null ? t.editor.newQuiz : t.editor.editQuiz}</h2>
        <div class="segmented" role="group" aria-label={t.editor.writeAs}>
          <button type="button" aria-pressed={source === 'form'} onClick={() => setSource('form')}>
            {t.editor.form}
          </button>
          <button type="button" aria-pressed={source === 'paste'} onClick={showPaste}>
            {t.editor.paste}
          </button>
        </div>
      </div>

      {source === 'form' && !draft && !errors && <p class="muted">{t.loading}</p>}
      {source === 'form' && draft && (
        <>
          <label for="editor-title">{t.editor.title}</label>
          <input id="editor-title" data-testid="editor-title" value={draft.title} onInput={(event) => setDraft({ ...draft, title: event.currentTarget.value })} />
          <label for="editor-mode">{t.editor.mode}</label>
          <select
            id="editor-mode"
            data-testid="editor-mode"
            value={draft.mode}
            onChange={(event) => setDraft({ ...draft, mode: event.currentTarget.value === 'speed' ? 'speed' : 'cotato' })}
          >
            {MODES.map((mode) => (
              <option key={mode} value={mode}>
                {t.editor.modes[mode][0]}
              </option>
            ))}
          </select>
          <label for="editor-ranking">{t.editor.ranking}</label>
          <select
            id="editor-ranking"
            data-testid="editor-ranking"
            value={draft.ranking}
            onChange={(event) => setDraft({ ...draft, ranking: event.currentTarget.value === 'reaction' ? 'reaction' : 'arrival' })}
          >
            <option value="arrival">{t.editor.rankings.arrival}</option>
            <option value="reaction">{t.editor.rankings.reaction}</option>
          </select>
          <ul class="hint">
            {MODES.map((mode) => (
              <li key={mode} class={mode === draft.mode ? 'current' : undefined}>
                <strong>{t.editor.modes[mode][0]}</strong>: {t.editor.modes[mode][1]}
              </li>
            ))}
          </ul>
          {draft.mode === 'cotato' && (
            <label class="inline">
              {t.editor.maxAttempts}
              <input
                class="seconds"
                type="number"
                min={1}
                max={100}
                placeholder="20"
                data-testid="editor-max-attempts"
                value={draft.maxAttempts}
                onInput={(event) => setDraft({ ...draft, maxAttempts: event.currentTarget.value })}
              />
            </label>
          )}
          {draft.questions.map((question, index) => (
            <QuestionEditor
              api={api}
              key={question.key}
              question={question}
              index={index}
              count={draft.questions.length}
              onChange={(patch) => updateQuestions((questions) => questions.map((q, i) => (i === index ? { ...q, ...patch } : q)))}
              onMove={(delta) => move(index, delta)}
              onRemove={() => updateQuestions((questions) => questions.filter((_, i) => i !== index))}
            />
          ))}
          <button type="button" onClick={() => updateQuestions((questions) => [...questions, newQuestion()])}>
            {t.editor.addQuestion}
          </button>
        </>
      )}

      {source === 'paste' && (
        <>
          <label for="paste-format">{t.editor.format}</label>
          <select
            id="paste-format"
            value={paste.format}
            onChange={(event) => setPaste({ ...paste, format: event.currentTarget.value === 'json' ? 'json' : 'markdown' })}
          >
            <option value="markdown">Markdown</option>
            <option value="json">JSON</option>
          </select>
          <label for="paste-text">{t.editor.file}</label>
          <textarea
            id="paste-text"
            class="mono"
            rows={14}
            value={paste.text}
            placeholder={paste.format === 'markdown' ? MARKDOWN_EXAMPLE : '{ "title": "My quiz", "mode": "cotato", "questions": [ … ] }'}
            onInput={(event) => setPaste({ ...paste, text: event.currentTarget.value })}
          />
        </>
      )}

      {errors && <ErrorLines lines={errors} testId="editor-error" />}

      <div class="row">
        <button type="submit" class="primary" data-testid="editor-save" disabled={saving || (source === 'form' && !draft)}>
          {saving ? t.editor.saving : t.editor.save}
        </button>
        <button type="button" onClick={() => onClose(false)}>
          {t.editor.cancel}
        </button>
      </div>
    </form>
  );
}
