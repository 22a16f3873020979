import { useCallback, useEffect, useState } from 'preact/hooks';
import { checkHostPassword, HostApi } from '../api.ts';
import { errorMessage } from '../errors.ts';
import { forgetHostPassword, loadHostPassword, saveHostPassword } from '../storage.ts';

export type HostAuth = { status: 'checking' } | { status: 'login'; error: string | null } | { status: 'ok'; api: HostApi };

/** `#password=…` lets a host open the dashboard from a link; it leaves the address bar (and history) at once. */
function takePasswordFromHash(): string | null {
  const password = new URLSearchParams(location.hash.slice(1)).get('password');
  if (password !== null) history.replaceState(history.state, '', location.pathname + location.search);
  return password;
}

export function useHostAuth(): { auth: HostAuth; login: (password: string) => void } {
  const [auth, setAuth] = useState<HostAuth>({ status: 'checking' });

  const login = useCallback((password: string) => {
    setAuth({ status: 'checking' });
    checkHostPassword(password).then(
      (ok) => {
        if (!ok) {
          forgetHostPassword();
          return setAuth({ status: 'login', error: 'Wrong password.' });
        }
        saveHostPassword(password);
        const signOut = (): void => {
          forgetHostPassword();
          setAuth({ status: 'login', error: 'The password is no longer accepted.' });
        };
        setAuth({ status: 'ok', api: new HostApi(password, signOut) });
      },
      (error: unknown) => setAuth({ status: 'login', error: errorMessage(error) }),
    );
  }, []);

  useEffect(() => {
    const password = takePasswordFromHash() ?? loadHostPassword();
    if (password) login(password);
    else setAuth({ status: 'login', error: null });
  }, [login]);

  return { auth, login };
}
