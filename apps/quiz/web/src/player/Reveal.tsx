import type { PlayerView, PublicQuestion, PublicState } from '../../../src/shared/protocol.ts';
import { Leaderboard } from '../components/Leaderboard.tsx';
import { optionLetter } from '../components/letters.ts';
import { Ranking } from '../components/Ranking.tsx';

/** After a question closes: its answer, who was first, where the player placed, and the board. */
export function Reveal({ state, question, you }: { state: PublicState; question: PublicQuestion; you: PlayerView }) {
  const reveal = state.reveal?.questionIndex === question.index ? state.reveal : null;
  const answer =
    question.kind === 'choice'
      ? (reveal?.correctOptions ?? []).map((index) => `${optionLetter(index)}. ${question.options?.[index] ?? ''}`)
      : (reveal?.acceptedAnswers ?? []);
  return (
    <div class="stack">
      <section class="reveal" data-testid="reveal">
        <h3>Answer</h3>
        <p class="answer">{answer.join(' · ') || '—'}</p>
        {reveal && (
          <p class="muted">
            {reveal.correctCount === 1 ? '1 player' : `${reveal.correctCount} players`} got it right
            {reveal.scorer && ` · first: ${reveal.scorer.nickname}`}
          </p>
        )}
        <p class="placement" data-testid="placement">
          {you.placement !== null ? `You placed #${you.placement}` : 'You were not ranked on this question'}
        </p>
        {reveal && <Ranking rows={reveal.ranking} highlight={you.playerId} />}
      </section>
      <h3>Leaderboard</h3>
      <Leaderboard rows={state.leaderboard} mode={state.mode} highlight={you.playerId} />
    </div>
  );
}
