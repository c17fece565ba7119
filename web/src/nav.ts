import { useEffect, useState } from 'react';

/**
 * Hash-based navigation (`#/users/<id>`): no router dependency, and the server needs no
 * knowledge of client paths. The first segment picks the screen, the rest are its arguments.
 */
const read = (): string[] =>
  window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);

export function useRoute(): string[] {
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export const href = (...segments: string[]): string => `#/${segments.map(encodeURIComponent).join('/')}`;

export function go(...segments: string[]): void {
  window.location.hash = href(...segments);
}
