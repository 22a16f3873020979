import { useEffect, useRef, useState } from 'preact/hooks';
import { NICKNAME_MAX } from '../../../src/shared/protocol.ts';
import { useT } from '../i18n/index.ts';
import { LengthCounter } from './LengthCounter.tsx';

export function NicknameForm({ busy, error, onJoin }: { busy: boolean; error: string | null; onJoin: (nickname: string) => void }) {
  const t = useT();
  const [nickname, setNickname] = useState('');
  const input = useRef<HTMLInputElement>(null);
  // `autofocus` works on a page load only; after the join code's Enter this page is reached in-app.
  useEffect(() => input.current?.focus(), []);
  const trimmed = nickname.trim();
  const length = [...trimmed].length;
  const tooLong = length > NICKNAME_MAX;
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    if (trimmed && !tooLong && !busy) onJoin(trimmed);
  };
  return (
    <form class="card stack" onSubmit={onSubmit}>
      <label for="nickname">{t.join.nickname}</label>
      <input
        id="nickname"
        ref={input}
        data-testid="nickname-input"
        value={nickname}
        aria-invalid={tooLong}
        aria-describedby="nickname-counter"
        onInput={(event) => setNickname(event.currentTarget.value)}
        autoComplete="nickname"
        enterKeyHint="go"
      />
      <div id="nickname-counter">
        <LengthCounter length={length} max={NICKNAME_MAX} testId="nickname-counter" />
      </div>
      <button class="primary big" type="submit" data-testid="join-button" disabled={!trimmed || tooLong || busy}>
        {busy ? t.join.joining : t.join.join}
      </button>
      {error && (
        <p class="error" role="alert" data-testid="join-error">
          {error}
        </p>
      )}
    </form>
  );
}
