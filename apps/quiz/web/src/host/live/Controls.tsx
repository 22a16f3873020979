import { useEffect, useState } from 'preact/hooks';
import type { HostCommand, HostState } from '../../../../src/shared/protocol.ts';
import { SecondsField } from '../../components/SecondsField.tsx';
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
  const remaining = useRemaining(opensAt) ?? 0;
  return (
    <p class="opens-in" data-testid="opens-in" role="status">
      {remaining > 0 ? `opening in ${(remaining / 1000).toFixed(1)} s` : 'opening…'}
    </p>
  );
}

export function Controls({ state, total, busy, error, opensAt, onCommand }: Props) {
  const { phase, stage, question } = state.public;
  const current = question?.index ?? 0;
  /** The picker follows the current question until the host picks another. */
  const [picked, setPicked] = useState<number | null>(null);
  const [randomDelay, setRandomDelay] = useState(false);
  const [seconds, setSeconds] = useState('');
  useEffect(() => setPicked(null), [current]);

  const index = picked ?? current;
  const finished = phase === 'finished';
  // Between an open with a random delay and the moment answers are accepted.
  const opening = state.opensInMs !== null;
  const allowed = {
    show: !finished && stage !== 'open' && !opening,
    open: stage === 'shown' && !opening,
    close: stage === 'open',
    next: stage === 'closed' && question !== null && question.index < question.total - 1,
    finish: !finished,
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
      <h2>Controls</h2>
      <div class="row wrap">
        <label class="inline">
          Question
          <select data-testid="question-picker" value={index + 1} onChange={(event) => setPicked(Number(event.currentTarget.value) - 1)}>
            {Array.from({ length: Math.max(total, index + 1) }, (_, i) => (
              <option key={i} value={i + 1}>
                {i + 1}
              </option>
            ))}
          </select>
          of {total}
        </label>
        <button data-testid="show-button" disabled={busy || !allowed.show} onClick={() => void onCommand({ command: 'show', index })}>
          Show question
        </button>
      </div>
      <div class="row wrap">
        <label class="check">
          <input type="checkbox" data-testid="random-delay" checked={randomDelay} onChange={(event) => setRandomDelay(event.currentTarget.checked)} />
          Random delay
        </label>
        <SecondsField label="Countdown (s)" testId="countdown-seconds" value={seconds} onInput={setSeconds} />
        <button class="primary" data-testid="open-button" disabled={busy || !allowed.open} onClick={open}>
          Open
        </button>
      </div>
      {opening && (
        <div class="row wrap">
          {opensAt !== null && <OpensIn opensAt={opensAt} />}
          <button data-testid="cancel-open-button" disabled={busy || !state.openingPending} onClick={() => void onCommand({ command: 'cancel-open' })}>
            Cancel opening
          </button>
        </div>
      )}
      <div class="row wrap">
        <button data-testid="close-button" disabled={busy || !allowed.close} onClick={() => void onCommand({ command: 'close' })}>
          Close
        </button>
        <button data-testid="next-button" disabled={busy || !allowed.next} onClick={() => void onCommand({ command: 'next' })}>
          Next question
        </button>
        <button class="danger" data-testid="finish-button" disabled={busy || !allowed.finish} onClick={() => void onCommand({ command: 'finish' })}>
          Finish
        </button>
      </div>
      {error && (
        <p class="error" role="alert" data-testid="command-error">
          {error}
        </p>
      )}
    </section>
  );
}
