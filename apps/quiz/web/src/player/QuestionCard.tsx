import { useState } from 'preact/hooks';
import { ANSWER_MAX, type PlayerView, type PublicQuestion, type PublicState } from '../../../src/shared/protocol.ts';
import { Countdown } from '../components/Countdown.tsx';
import { optionLetter } from '../components/letters.ts';
import { useT, type Messages } from '../i18n/index.ts';
import { useRemaining } from '../time.ts';
import { LengthCounter } from './LengthCounter.tsx';
import { ResultCard } from './ResultCard.tsx';
import type { Feedback } from './session.ts';

interface Props {
  state: PublicState;
  question: PublicQuestion;
  you: PlayerView;
  deadline: number | null;
  /** When the button turned on (`performance.now()`), null while off. */
  buttonOn: number | null;
  feedback: Feedback | null;
  onSubmit: (answer: number | string) => void;
}

/** The last outcome for this question: this page's submit, or (after a reload) the server's record of it. */
function outcome(question: PublicQuestion, you: PlayerView, feedback: Feedback | null): Feedback | null {
  if (feedback?.questionIndex === question.index) return feedback;
  const last = you.current.at(-1);
  return last ? { questionIndex: question.index, kind: 'accepted', ticket: last.ticket, correct: last.correct } : null;
}

function feedbackText(t: Messages, feedback: Feedback, mayRetry: boolean): string {
  switch (feedback.kind) {
    case 'sending':
      return t.player.sending;
    case 'accepted':
      if (feedback.correct) return t.player.correct;
      return mayRetry ? t.player.wrongRetry : t.player.wrong;
    case 'refused':
      return feedback.message;
  }
}

/** Arrow keys move between options (and pick them), as in any radio group; Tab leaves the group. */
function onOptionsKey(event: KeyboardEvent, pick: (index: number) => void): void {
  const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[event.key];
  if (step === undefined) return;
  const radios = [...(event.currentTarget as HTMLElement).querySelectorAll<HTMLButtonElement>('[role="radio"]')];
  const from = radios.indexOf(event.target as HTMLButtonElement);
  if (from < 0) return;
  event.preventDefault();
  const next = (from + step + radios.length) % radios.length;
  pick(next);
  radios[next].focus();
}

export function QuestionCard({ state, question, you, deadline, buttonOn, feedback, onSubmit }: Props) {
  const t = useT();
  const [choice, setChoice] = useState<number | null>(null);
  const [text, setText] = useState('');
  const remaining = useRemaining(deadline);
  const { stage } = state;
  const closed = stage === 'closed';
  const result = outcome(question, you, feedback);
  const sending = result?.kind === 'sending';
  const tooLong = text.length > ANSWER_MAX;
  const answer = question.kind === 'choice' ? choice : text.trim() && !tooLong ? text.trim() : null;
  // Enabled by the pushed state alone, at the instant it names: the server decides when answers open.
  const opened = stage === 'open' && buttonOn !== null;
  const canSubmit = opened && you.canSubmit && answer !== null && !sending && remaining !== 0;
  const options = question.options ?? [];

  const onFormSubmit = (event: Event): void => {
    event.preventDefault();
    if (canSubmit && answer !== null) onSubmit(answer);
  };

  if (closed) {
    return (
      <div class="stack question" data-testid="question-closed">
        <p class="tag">{t.player.question(question.index + 1, question.total)}</p>
        <ResultCard state={state} question={question} you={you} />
      </div>
    );
  }

  return (
    <form class="card stack question" onSubmit={onFormSubmit}>
      <div class="question-head">
        <span class="tag">{t.player.question(question.index + 1, question.total)}</span>
        {opened && remaining !== null && <Countdown remainingMs={remaining} />}
      </div>
      <h2 class="question-text" data-testid="question-text">
        {question.text}
      </h2>
      {question.image && <img class="question-image" data-testid="question-image" src={question.image} alt={t.player.picture} />}
      {/* Announced by screen readers when it changes: "get ready", then "answers are open" (at the instant, not on the announcement). */}
      <p class={opened ? 'answers-open' : 'get-ready'} role="status" data-testid="stage-announcement">
        {opened ? t.player.answersOpen : t.player.getReady}
      </p>

      {question.kind === 'choice' ? (
        <div class="options" role="radiogroup" aria-label={t.player.options} onKeyDown={(event) => onOptionsKey(event, setChoice)}>
          {options.map((option, index) => {
            const classes = ['option', choice === index && 'picked'].filter(Boolean).join(' ');
            // One tab stop for the group: the picked option, or the first.
            const tabStop = choice === null ? index === 0 : choice === index;
            return (
              <button
                key={index}
                type="button"
                role="radio"
                aria-checked={choice === index}
                tabIndex={tabStop ? 0 : -1}
                class={classes}
                data-testid={`option-${index}`}
                onClick={() => setChoice(index)}
              >
                <span class="letter">{optionLetter(index)}</span>
                {question.optionImages?.[index] && <img class="option-image" src={question.optionImages[index]!} alt="" />}
                <span>{option}</span>
              </button>
            );
          })}
        </div>
      ) : (
        <div class="stack tight">
          <input
            class="answer-input"
            data-testid="answer-input"
            aria-label={t.player.yourAnswer}
            aria-invalid={tooLong}
            placeholder={t.player.yourAnswer}
            value={text}
            onInput={(event) => setText(event.currentTarget.value)}
            autoComplete="off"
            enterKeyHint="send"
          />
          <LengthCounter length={text.length} max={ANSWER_MAX} testId="answer-counter" />
        </div>
      )}

      <button
        type="submit"
        class="primary big"
        data-testid="submit-button"
        data-on-at={buttonOn === null ? undefined : String(performance.timeOrigin + buttonOn)}
        disabled={!canSubmit}
      >
        {sending ? t.player.sending : t.player.submit}
      </button>
      {result && (
        <p
          class={`feedback feedback-${result.kind === 'accepted' ? (result.correct ? 'correct' : 'wrong') : result.kind}`}
          data-testid="submit-feedback"
          data-ticket={result.kind === 'accepted' ? result.ticket : undefined}
          aria-live="polite"
        >
          {feedbackText(t, result, state.mode === 'cotato' && you.canSubmit && stage === 'open')}
        </p>
      )}
    </form>
  );
}
