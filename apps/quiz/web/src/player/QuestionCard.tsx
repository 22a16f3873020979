import { useState } from 'preact/hooks';
import { ANSWER_MAX, type PlayerView, type PublicQuestion, type PublicState } from '../../../src/shared/protocol.ts';
import { Countdown } from '../components/Countdown.tsx';
import { optionLetter } from '../components/letters.ts';
import { useRemaining } from '../time.ts';
import { Reveal } from './Reveal.tsx';
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

function feedbackText(feedback: Feedback, mayRetry: boolean): string {
  switch (feedback.kind) {
    case 'sending':
      return 'Sending…';
    case 'accepted':
      if (feedback.correct) return `Correct! (ticket #${feedback.ticket})`;
      return `${mayRetry ? 'Wrong — try again' : 'Wrong'} (ticket #${feedback.ticket})`;
    case 'refused':
      return feedback.message;
  }
}

export function QuestionCard({ state, question, you, deadline, buttonOn, feedback, onSubmit }: Props) {
  const [choice, setChoice] = useState<number | null>(null);
  const [text, setText] = useState('');
  const remaining = useRemaining(deadline);
  const { stage, reveal } = state;
  const closed = stage === 'closed';
  const result = outcome(question, you, feedback);
  const sending = result?.kind === 'sending';
  const answer = question.kind === 'choice' ? choice : text.trim() || null;
  // Enabled by the pushed state alone, at the instant it names: the server decides when answers open.
  const opened = stage === 'open' && buttonOn !== null;
  const canSubmit = opened && you.canSubmit && answer !== null && !sending && remaining !== 0;

  const onFormSubmit = (event: Event): void => {
    event.preventDefault();
    if (canSubmit && answer !== null) onSubmit(answer);
  };

  return (
    <form class="card stack question" onSubmit={onFormSubmit}>
      <div class="question-head">
        <span class="tag">
          Question {question.index + 1} / {question.total}
        </span>
        {opened && remaining !== null && <Countdown remainingMs={remaining} />}
      </div>
      <h2 class="question-text" data-testid="question-text">
        {question.text}
      </h2>
      {(stage === 'shown' || (stage === 'open' && !opened)) && (
        <p class="get-ready" role="status">
          Get ready…
        </p>
      )}

      {question.kind === 'choice' ? (
        <div class="options" role="radiogroup" aria-label="Options">
          {(question.options ?? []).map((option, index) => {
            const correct = reveal?.correctOptions?.includes(index) ?? false;
            const classes = ['option', choice === index && 'picked', closed && correct && 'correct'].filter(Boolean).join(' ');
            return (
              <button
                key={index}
                type="button"
                role="radio"
                aria-checked={choice === index}
                class={classes}
                data-testid={`option-${index}`}
                disabled={closed}
                onClick={() => setChoice(index)}
              >
                <span class="letter">{optionLetter(index)}</span>
                <span>{option}</span>
              </button>
            );
          })}
        </div>
      ) : (
        <input
          class="answer-input"
          data-testid="answer-input"
          aria-label="Your answer"
          placeholder="Your answer"
          value={text}
          maxLength={ANSWER_MAX}
          disabled={closed}
          onInput={(event) => setText(event.currentTarget.value)}
          autoComplete="off"
          enterKeyHint="send"
        />
      )}

      <button
        type="submit"
        class="primary big"
        data-testid="submit-button"
        data-on-at={buttonOn === null ? undefined : String(performance.timeOrigin + buttonOn)}
        disabled={!canSubmit}
      >
        {sending ? 'Sending…' : 'Submit'}
      </button>
      {result && (
        <p class={`feedback feedback-${result.kind === 'accepted' ? (result.correct ? 'correct' : 'wrong') : result.kind}`} data-testid="submit-feedback" aria-live="polite">
          {feedbackText(result, state.mode === 'cotato' && you.canSubmit && stage === 'open')}
        </p>
      )}

      {closed && <Reveal state={state} question={question} you={you} />}
    </form>
  );
}
