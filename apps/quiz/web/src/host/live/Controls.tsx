import { useEffect, useState } from 'preact/hooks';
import type { HostCommand, HostState } from '../../../../src/shared/protocol.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { SecondsField } from '../../components/SecondsField.tsx';
import { useT } from '../../i18n/index.ts';
import { useRemaining } from '../../time.ts';

interface Props {
  state: HostState;
  /** Questions in the quiz (for the picker). */
  total: number;
  busy: boolean;
  error: string | null;
  opensAt: number | null;
  onCommand: (command: HostCommand) => Promise<boolean>;
}

function OpensIn({ opensAt }: { opensAt: number }) {
  const t = useT();
  const remaining = useRemaining(opensAt) ?? 0;
  return (
    <p class="opens-in" data-testid="opens-in" role="status">
      {remaining > 0 ? t.host.opensIn((remaining / 1000).toFixed(1)) : t.host.opening}
    </p>
  );
}

/** The first question not played yet after `from` (the picker's suggestion), else `from`. */
function nextUnplayed(from: number, total: number, played: ReadonlySet<number>): number {
  for (let i = from; i < total; i++) if (!played.has(i)) return i;
  return from;
}

export function Controls({ state, total, busy, error, opensAt, onCommand }: Props) {
  const t = useT();
  const { phase, stage, question } = state.public;
  const current = question?.index ?? 0;
  const played = new Set(state.playedQuestions);
  /** The picker follows the current question until the host picks another. */
  const [picked, setPicked] = useState<number | null>(null);
  const [randomDelay, setRandomDelay] = useState(false);
  const [seconds, setSeconds] = useState('');
  useEffect(() => setPicked(null), [current]);

  const index = picked ?? (played.has(current) ? nextUnplayed(current, total, played) : current);
  const finished = phase === 'finished';
  // Between an open with a random delay and the moment answers are accepted.
  const opening = state.opensInMs !== null;
  const allowed = {
    show: !finished && stage !== 'open' && !opening && !played.has(index),
    open: stage === 'shown' && !opening,
    close: stage === 'open',
    next: stage === 'closed' && question !== null && question.index < question.total - 1,
    // Not in the middle of a question: close it first, so no answer in flight is cut off.
    finish: !finished && stage !== 'open',
  };

  const open = (): void => {
    const command: Extract<HostCommand, { command: 'open' }> = { command: 'open' };
    if (randomDelay) command.delayMs = 'random';
    const limit = Number(seconds);
    if (seconds.trim() !== '' && limit > 0) command.timeLimitMs = Math.round(limit * 1000);
    void onCommand(command);
  };

  return (
    <section class="card stack controls">
      <h2>{t.host.controls}</h2>
      <div class="row wrap">
        <label class="inline">
          {t.host.question}
          <select data-testid="question-picker" value={index + 1} onChange={(event) => setPicked(Number(event.currentTarget.value) - 1)}>
            {Array.from({ length: Math.max(total, index + 1) }, (_, i) => (
              // A played question cannot be shown again (the server refuses it too): it stays listed, greyed out.
              <option key={i} value={i + 1} disabled={played.has(i)} data-played={played.has(i) ? 'true' : undefined}>
                {i + 1}
                {played.has(i) ? ` ${t.host.played}` : ''}
              </option>
            ))}
          </select>
          {t.host.of(total)}
        </label>
        <button data-testid="show-button" disabled={busy || !allowed.show} onClick={() => void onCommand({ command: 'show', index })}>
          {t.host.show}
        </button>
      </div>
      <div class="row wrap">
        <label class="check">
          <input type="checkbox" data-testid="random-delay" checked={randomDelay} onChange={(event) => setRandomDelay(event.currentTarget.checked)} />
          {t.host.randomDelay}
        </label>
        <SecondsField label={t.host.countdown} testId="countdown-seconds" value={seconds} onInput={setSeconds} />
        <button class="primary" data-testid="open-button" disabled={busy || !allowed.open} onClick={open}>
          {t.host.open}
        </button>
      </div>
      {opening && (
        <div class="row wrap">
          {opensAt !== null && <OpensIn opensAt={opensAt} />}
          <button data-testid="cancel-open-button" disabled={busy || !state.openingPending} onClick={() => void onCommand({ command: 'cancel-open' })}>
            {t.host.cancelOpen}
          </button>
        </div>
      )}
      <div class="row wrap">
        <button data-testid="close-button" disabled={busy || !allowed.close} onClick={() => void onCommand({ command: 'close' })}>
          {t.host.close}
        </button>
        <button data-testid="next-button" disabled={busy || !allowed.next} onClick={() => void onCommand({ command: 'next' })}>
          {t.host.next}
        </button>
        <ConfirmButton
          class="danger"
          testId="finish-button"
          disabled={busy || !allowed.finish}
          disabledReason={!finished && stage === 'open' ? t.host.finishWhileOpen : undefined}
          question={t.host.confirmFinish}
          onConfirm={() => void onCommand({ command: 'finish' })}
        >
          {t.host.finish}
        </ConfirmButton>
      </div>
      {error && (
        <p class="error" role="alert" data-testid="command-error">
          {error}
        </p>
      )}
    </section>
  );
}
