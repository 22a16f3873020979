import { useCallback, useEffect, useState } from 'preact/hooks';
import { checkHostToken, exchangeHostPassword, HostApi } from '../api.ts';
import { errorMessage } from '../errors.ts';
import { messages } from '../i18n/index.ts';
import { forgetHostToken, loadHostToken, saveHostToken } from '../storage.ts';

export type HostAuth = { status: 'checking' } | { status: 'login'; error: string | null } | { status: 'ok'; api: HostApi };

/** `#password=…` lets a host open the dashboard from a link; it leaves the address bar (and history) at once. */
function takePasswordFromHash(): string | null {
  const password = new URLSearchParams(location.hash.slice(1)).get('password');
  if (password !== null) history.replaceState(history.state, '', location.pathname + location.search);
  return password;
}

export function useHostAuth(): { auth: HostAuth; login: (password: string) => void } {
  const [auth, setAuth] = useState<HostAuth>({ status: 'checking' });

  const signedIn = useCallback((token: string) => {
    const signOut = (): void => {
      forgetHostToken();
      setAuth({ status: 'login', error: messages().signIn.expired });
    };
    setAuth({ status: 'ok', api: new HostApi(token, signOut) });
  }, []);

  // The password is sent once, for a token that expires; only the token is kept.
  const login = useCallback(
    (password: string) => {
      setAuth({ status: 'checking' });
      exchangeHostPassword(password).then(
        (issued) => {
          if (!issued) return setAuth({ status: 'login', error: messages().signIn.wrongPassword });
          saveHostToken(issued);
          signedIn(issued.token);
        },
        (error: unknown) => setAuth({ status: 'login', error: errorMessage(error) }),
      );
    },
    [signedIn],
  );

  useEffect(() => {
    const password = takePasswordFromHash();
    if (password) return login(password);
    const stored = loadHostToken();
    if (!stored) return setAuth({ status: 'login', error: null });
    checkHostToken(stored.token).then(
      (ok) => {
        if (ok) return signedIn(stored.token);
        forgetHostToken();
        setAuth({ status: 'login', error: null });
      },
      (error: unknown) => setAuth({ status: 'login', error: errorMessage(error) }),
    );
  }, [login, signedIn]);

  return { auth, login };
}
