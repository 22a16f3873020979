import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'landing' }
  | { page: 'join'; code: string }
  | { page: 'host' }
  | { page: 'host-live'; liveId: string }
  | { page: 'present'; liveId: string }
  | { page: 'host-results'; liveId: string }
  | { page: 'not-found' };

export function parseRoute(pathname: string): Route {
  let parts: string[];
  try {
    parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { page: 'not-found' };
  }
  if (parts.length === 0) return { page: 'landing' };
  if (parts[0] === 'join' && parts.length === 2) return { page: 'join', code: parts[1].toUpperCase() };
  if (parts[0] === 'host' && parts.length === 1) return { page: 'host' };
  if (parts[0] === 'host' && parts[1] === 'live' && parts.length === 3) return { page: 'host-live', liveId: parts[2] };
  if (parts[0] === 'host' && parts[1] === 'results' && parts.length === 3) return { page: 'host-results', liveId: parts[2] };
  if (parts[0] === 'present' && parts.length === 2) return { page: 'present', liveId: parts[1] };
  return { page: 'not-found' };
}

/** The transport override (`?transports=`) is a test setting for the whole visit, so in-app links keep it. */
function withTestParams(path: string): string {
  const transports = new URLSearchParams(location.search).get('transports');
  return transports ? `${path}?${new URLSearchParams({ transports })}` : path;
}

const listeners = new Set<() => void>();

export function navigate(path: string): void {
  history.pushState(null, '', withTestParams(path));
  for (const listener of listeners) listener();
}

export function useRoute(): Route {
  const [pathname, setPathname] = useState(location.pathname);
  useEffect(() => {
    const update = (): void => setPathname(location.pathname);
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return parseRoute(pathname);
}
