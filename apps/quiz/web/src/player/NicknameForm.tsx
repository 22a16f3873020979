import { useState } from 'preact/hooks';
import { NICKNAME_MAX } from '../../../src/shared/protocol.ts';

export function NicknameForm({ busy, error, onJoin }: { busy: boolean; error: string | null; onJoin: (nickname: string) => void }) {
  const [nickname, setNickname] = useState('');
  const trimmed = nickname.trim();
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    if (trimmed && !busy) onJoin(trimmed);
  };
  return (
    <form class="card stack" onSubmit={onSubmit}>
      <label for="nickname">Your nickname</label>
      <input
        id="nickname"
        data-testid="nickname-input"
        value={nickname}
        maxLength={NICKNAME_MAX}
        onInput={(event) => setNickname(event.currentTarget.value)}
        autoComplete="nickname"
        enterKeyHint="go"
        autoFocus
      />
      <button class="primary big" type="submit" data-testid="join-button" disabled={!trimmed || busy}>
        {busy ? 'Joining…' : 'Join'}
      </button>
      {error && (
        <p class="error" role="alert" data-testid="join-error">
          {error}
        </p>
      )}
    </form>
  );
}
