import type { HostState } from '../../../../src/shared/protocol.ts';
import { AnswerChart } from '../../components/AnswerChart.tsx';
import { Countdown } from '../../components/Countdown.tsx';
import { useT } from '../../i18n/index.ts';
import { optionLetter } from '../../components/letters.ts';
import { useRemaining } from '../../time.ts';

/** The current question as the host sees it: with its answer, before anyone else. */
export function QuestionPanel({ state, deadline }: { state: HostState; deadline: number | null }) {
  const t = useT();
  const remaining = useRemaining(deadline);
  const { question, stage, reveal } = state.public;
  if (!question) {
    return (
      <section class="card">
        <p class="muted">{t.host.noQuestion}</p>
      </section>
    );
  }
  // After a close the reveal carries the key too, with a regrade's additions.
  const key = state.answerKey ?? (reveal?.questionIndex === question.index ? reveal : null);
  const correct = key?.correctOptions ?? [];
  const answer =
    question.kind === 'choice'
      ? correct.map((index) => `${optionLetter(index)}. ${question.options?.[index] ?? ''}`)
      : (key?.acceptedAnswers ?? []);

  return (
    <section class="card stack">
      <div class="question-head">
        <span class="tag">{t.player.question(question.index + 1, question.total)}</span>
        {stage && <span class={`stage stage-${stage}`}>{state.opensInMs !== null ? t.host.openingStage : t.host.stage[stage]}</span>}
        {stage === 'open' && remaining !== null && <Countdown remainingMs={remaining} />}
      </div>
      <h2 class="question-text">{question.text}</h2>
      {question.kind === 'choice' && (
        <ol class="host-options">
          {(question.options ?? []).map((option, index) => (
            <li key={index} class={correct.includes(index) ? 'correct' : undefined}>
              <span class="letter">{optionLetter(index)}</span>
              {option}
            </li>
          ))}
        </ol>
      )}
      <p class="answer-key" data-testid="answer-key">
        <span class="label">{t.host.answerKey}</span> {answer.join(' · ') || '—'}
      </p>
      <p>
        {t.host.answersReceived} <strong data-testid="submission-count">{state.submissionCount}</strong>
      </p>
      {reveal?.questionIndex === question.index && stage === 'closed' && (
        <AnswerChart distribution={reveal.distribution} options={question.options} correctOptions={reveal.correctOptions} />
      )}
    </section>
  );
}
