import { useEffect, useRef } from 'preact/hooks';
import type { PlayerView, PublicQuestion, PublicState } from '../../../src/shared/protocol.ts';
import { AnswerChart } from '../components/AnswerChart.tsx';
import { Leaderboard } from '../components/Leaderboard.tsx';
import { optionLetter } from '../components/letters.ts';
import { Ranking } from '../components/Ranking.tsx';
import { useT } from '../i18n/index.ts';

/**
 * After a question closes, the player's phone shows one card: right or wrong, their place, their
 * score and the correct answer, then the rankings (scrollable, never wider than the screen).
 * Everything comes from the server's pushes, so a regrade changes it too.
 */
export function ResultCard({ state, question, you }: { state: PublicState; question: PublicQuestion; you: PlayerView }) {
  const t = useT();
  const card = useRef<HTMLElement>(null);
  // The verdict is what a player looks for: bring the card's top into view when it appears.
  useEffect(() => card.current?.scrollIntoView({ block: 'start' }), []);
  const reveal = state.reveal?.questionIndex === question.index ? state.reveal : null;
  // The view carries only the last few answers, with the count beside them. A correct answer is
  // always the last one (cotato takes none after it, speed only one), so it is among them.
  const answered = you.attempts > 0;
  const right = you.current.some((submission) => submission.correct);
  const verdict = right ? 'right' : answered ? 'wrong' : 'none';
  const answer =
    question.kind === 'choice'
      ? (reveal?.correctOptions ?? []).map((index) => `${optionLetter(index)}. ${question.options?.[index] ?? ''}`)
      : (reveal?.acceptedAnswers ?? []);
  return (
    <section ref={card} class={`result-card result-${verdict}`} data-testid="result-card" data-verdict={verdict} aria-live="polite">
      <p class="result-verdict" data-testid="result-verdict">
        {verdict === 'right' ? t.result.right : verdict === 'wrong' ? t.result.wrong : t.result.noAnswer}
      </p>
      <dl class="result-figures">
        <div>
          <dt>{t.result.yourPlace}</dt>
          <dd data-testid="placement" data-placement={you.placement ?? ''}>
            {you.placement !== null ? t.player.place(you.placement) : t.result.notRanked}
          </dd>
        </div>
        <div>
          <dt>{state.mode === 'cotato' ? t.result.wins : t.result.points}</dt>
          <dd data-testid="result-score">{state.mode === 'cotato' ? you.wins : you.points}</dd>
        </div>
      </dl>
      <div class="result-answer" data-testid="reveal">
        <p class="label">{t.result.answer}</p>
        <p class="answer">{answer.join(' · ') || '—'}</p>
        {reveal && (
          <p class="muted">
            {t.result.gotItRight(reveal.correctCount)}
            {reveal.scorer && ` · ${t.result.first(reveal.scorer.nickname)}`}
          </p>
        )}
      </div>
      {reveal && <AnswerChart distribution={reveal.distribution} options={question.options} correctOptions={reveal.correctOptions} />}
      {reveal && (
        <>
          <h3>{t.result.ranking}</h3>
          <Ranking rows={reveal.ranking} highlight={you.playerId} compact reaction={state.rankingRule === 'reaction'} />
        </>
      )}
      <h3>{t.result.leaderboard}</h3>
      <Leaderboard rows={state.leaderboard} mode={state.mode} highlight={you.playerId} />
    </section>
  );
}
