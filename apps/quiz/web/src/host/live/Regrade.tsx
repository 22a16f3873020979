import { useState } from 'preact/hooks';
import { useT } from '../../i18n/index.ts';
import type { HostCommand } from '../../../../src/shared/protocol.ts';

/** After a short-answer question closes: accept one more spelling; the server re-marks every answer. */
export function Regrade({ questionIndex, busy, onCommand }: { questionIndex: number; busy: boolean; onCommand: (command: HostCommand) => Promise<boolean> }) {
  const t = useT();
  const [answer, setAnswer] = useState('');
  const spelling = answer.trim();
  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (spelling && (await onCommand({ command: 'regrade', questionIndex, answer: spelling }))) setAnswer('');
  };
  return (
    <form class="card stack tight" onSubmit={onSubmit}>
      <label for="regrade">{t.dashboard.alsoAccept}</label>
      <div class="row">
        <input id="regrade" class="grow" data-testid="regrade-input" value={answer} onInput={(event) => setAnswer(event.currentTarget.value)} />
        <button type="submit" data-testid="regrade-button" disabled={busy || !spelling}>
          {t.dashboard.regrade}
        </button>
      </div>
    </form>
  );
}
