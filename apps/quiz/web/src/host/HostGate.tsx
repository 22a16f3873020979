import type { ComponentChild } from 'preact';
import { useState } from 'preact/hooks';
import type { HostApi } from '../api.ts';
import { useT } from '../i18n/index.ts';
import { useHostAuth } from './auth.ts';

function LoginForm({ error, onLogin }: { error: string | null; onLogin: (password: string) => void }) {
  const t = useT();
  const [password, setPassword] = useState('');
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    if (password) onLogin(password);
  };
  return (
    <main class="page narrow">
      <h1>{t.signIn.title}</h1>
      <form class="card stack" onSubmit={onSubmit}>
        <label for="host-password">{t.signIn.password}</label>
        <input
          id="host-password"
          type="password"
          data-testid="host-password-input"
          value={password}
          onInput={(event) => setPassword(event.currentTarget.value)}
          autoComplete="current-password"
          autoFocus
        />
        <button class="primary big" type="submit" data-testid="host-login-button" disabled={!password}>
          {t.signIn.submit}
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

/** The host pages, once the password is known to be right; the login form until then. */
export function HostGate({ children }: { children: (api: HostApi) => ComponentChild }) {
  const t = useT();
  const { auth, login } = useHostAuth();
  if (auth.status === 'ok') return <>{children(auth.api)}</>;
  if (auth.status === 'login') return <LoginForm error={auth.error} onLogin={login} />;
  return (
    <main class="page narrow">
      <p class="muted center">{t.signIn.checking}</p>
    </main>
  );
}
