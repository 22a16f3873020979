import { useEffect, useState } from 'preact/hooks';
import type { PresenterState, PublicQuestion, PublicState } from '../../../src/shared/protocol.ts';
import { AnswerChart } from '../components/AnswerChart.tsx';
import { Countdown } from '../components/Countdown.tsx';
import { Leaderboard } from '../components/Leaderboard.tsx';
import { optionLetter } from '../components/letters.ts';
import { Podium } from '../components/Podium.tsx';
import { useT } from '../i18n/index.ts';
import { PresenterSession } from '../presenter/session.ts';
import { createQuizClient } from '../realtime.ts';
import { loadHostToken } from '../storage.ts';
import { useStore } from '../store.ts';
import { useRemaining } from '../time.ts';

/** The projector's screen for one live session. Without the host's sign-in token in this browser it says where to open it. */
export function PresenterPage({ liveId }: { liveId: string }) {
  const t = useT();
  const token = loadHostToken()?.token;
  if (!token) {
    return (
      <main class="page narrow">
        <p class="card" role="alert" data-testid="presenter-needs-host">
          {t.presenter.needsHost}
        </p>
      </main>
    );
  }
  return <PresenterScreen liveId={liveId} token={token} />;
}

function PresenterScreen({ liveId, token }: { liveId: string; token: string }) {
  const t = useT();
  const [session] = useState(() => new PresenterSession(createQuizClient(), liveId, token));
  useEffect(() => () => session.dispose(), [session]);
  const { extras, shown, deadline, error } = useStore(session);
  useEffect(() => {
    if (shown) document.title = `${shown.title} · ${t.presenter.title}`;
  }, [shown?.title, t]);
  if (error) {
    return (
      <main class="page narrow">
        <p class="card error" role="alert">
          {error}
        </p>
      </main>
    );
  }
  if (!shown || !extras) return <p class="page muted">{t.loading}</p>;
  return (
    <main class="presenter" data-testid="presenter-view" data-phase={shown.phase} data-stage={shown.stage ?? ''}>
      <header class="presenter-bar">
        <h1>{shown.title}</h1>
        <span class="presenter-code" data-testid="presenter-code">
          {shown.code}
        </span>
      </header>
      <PresenterBody shown={shown} extras={extras} deadline={deadline} />
    </main>
  );
}

function PresenterBody({ shown, extras, deadline }: { shown: PublicState; extras: PresenterState; deadline: number | null }) {
  const t = useT();
  if (shown.phase === 'finished') {
    return (
      <section class="presenter-final" data-testid="presenter-final">
        <h2>{t.final.title}</h2>
        {shown.results && <Podium leaderboard={shown.results.leaderboard} mode={shown.mode} />}
        {shown.results && <Leaderboard rows={shown.results.leaderboard} mode={shown.mode} />}
      </section>
    );
  }
  if (shown.phase === 'before') return <Lobby shown={shown} extras={extras} />;
  const question = shown.question;
  if (!question || shown.stage === 'hidden' || shown.stage === null) {
    return (
      <section class="presenter-wait">
        <p>{t.presenter.waiting}</p>
        <Leaderboard rows={shown.leaderboard.slice(0, 5)} mode={shown.mode} />
      </section>
    );
  }
  return <PresenterQuestion shown={shown} question={question} extras={extras} deadline={deadline} />;
}

function Lobby({ shown, extras }: { shown: PublicState; extras: PresenterState }) {
  const t = useT();
  return (
    <section class="presenter-lobby" data-testid="presenter-lobby">
      <div class="presenter-join">
        <p class="label">{t.presenter.joinAt}</p>
        <p class="presenter-url">{extras.joinUrl}</p>
        <p class="label">{t.presenter.withCode}</p>
        <p class="presenter-big-code">{shown.code}</p>
        <img class="presenter-qr" src={`/qr/${encodeURIComponent(shown.code)}.svg`} alt={t.host.qrFor(extras.joinUrl)} width={360} height={360} />
      </div>
      <div class="presenter-players">
        <p class="presenter-count" data-testid="presenter-player-count" data-count={extras.playerTotal}>
          {t.presenter.players(extras.playerTotal)}
        </p>
        <ul class="presenter-names">
          {extras.nicknames.map((nickname) => (
            <li key={nickname}>{nickname}</li>
          ))}
        </ul>
      </div>
    </section>
  );
}

function PresenterQuestion({ shown, question, extras, deadline }: { shown: PublicState; question: PublicQuestion; extras: PresenterState; deadline: number | null }) {
  const t = useT();
  const remaining = useRemaining(deadline);
  const closed = shown.stage === 'closed';
  const reveal = closed && shown.reveal?.questionIndex === question.index ? shown.reveal : null;
  const correct = reveal?.correctOptions ?? [];
  return (
    <section class="presenter-question">
      <div class="question-head">
        <span class="tag">{t.player.question(question.index + 1, question.total)}</span>
        {shown.stage === 'open' && remaining !== null && <Countdown remainingMs={remaining} />}
        {shown.stage === 'open' && (
          <span class="presenter-answered" data-testid="presenter-answered">
            {t.presenter.answered(extras.answered, extras.playerTotal)}
          </span>
        )}
      </div>
      <h2 class="presenter-text" data-testid="presenter-question">
        {question.text}
      </h2>
      {question.image && <img class="question-image presenter-image" data-testid="presenter-image" src={question.image} alt={t.player.picture} />}
      {shown.stage === 'shown' && <p class="get-ready">{t.player.getReady}</p>}
      {question.kind === 'choice' && !reveal && (
        <ol class="presenter-options">
          {(question.options ?? []).map((option, index) => (
            <li key={index} data-testid="presenter-option">
              <span class="letter">{optionLetter(index)}</span>
              {question.optionImages?.[index] && <img class="option-image" src={question.optionImages[index]!} alt="" />}
              {option}
            </li>
          ))}
        </ol>
      )}
      {reveal && (
        <div class="presenter-reveal" data-testid="presenter-reveal">
          {question.kind === 'short' && (
            <p class="answer">
              {t.result.answer}: {(reveal.acceptedAnswers ?? []).join(' · ')}
            </p>
          )}
          <AnswerChart distribution={reveal.distribution} options={question.options} correctOptions={correct} />
          <p class="muted">
            {t.result.gotItRight(reveal.correctCount)}
            {reveal.scorer && ` · ${t.result.first(reveal.scorer.nickname)}`}
          </p>
          <Leaderboard rows={shown.leaderboard.slice(0, 5)} mode={shown.mode} />
        </div>
      )}
    </section>
  );
}
