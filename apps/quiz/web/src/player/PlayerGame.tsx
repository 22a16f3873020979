import type { ComponentChild } from 'preact';
import type { PlayerView, PublicState } from '../../../src/shared/protocol.ts';
import { FinalResults } from '../components/FinalResults.tsx';
import { useT } from '../i18n/index.ts';
import { QuestionCard } from './QuestionCard.tsx';
import type { Feedback, Game } from './session.ts';

function Score({ state, you }: { state: PublicState; you: PlayerView }) {
  const t = useT();
  const score = state.mode === 'cotato' ? t.player.wins(you.wins) : t.player.points(you.points);
  return (
    <span class="score" data-testid="player-score">
      {score}
      {you.rank !== null && ` · ${t.player.place(you.rank)}`}
    </span>
  );
}

export function PlayerGame({ game, feedback, onSubmit }: { game: Game; feedback: Feedback | null; onSubmit: (answer: number | string) => void }) {
  const t = useT();
  const { state, you, deadline, buttonOn } = game;
  const { phase, stage, question } = state;

  let body: ComponentChild;
  if (phase === 'finished') {
    body = state.results ? <FinalResults results={state.results} highlight={you.playerId} /> : <p class="card">{t.player.ended}</p>;
  } else if (phase === 'before' || !question || stage === 'hidden' || stage === null) {
    body = <p class="card waiting">{phase === 'before' ? t.player.waitingStart : t.player.waitingNext}</p>;
  } else {
    // Keyed by question: the picked option and typed answer belong to one question.
    body = <QuestionCard key={question.index} state={state} question={question} you={you} deadline={deadline} buttonOn={buttonOn} feedback={feedback} onSubmit={onSubmit} />;
  }

  return (
    <section class="stack" data-testid="player-view" data-stage={stage === 'open' && buttonOn === null ? 'shown' : (stage ?? '')} data-phase={phase}>
      <div class="me-bar">
        <span class="nick">{you.nickname}</span>
        <Score state={state} you={you} />
      </div>
      {body}
    </section>
  );
}
