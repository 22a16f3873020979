/**
 * The UI language: Korean or English, first from the visitor's own choice (kept in localStorage),
 * then from the browser's languages. `<html lang>` follows, so a screen reader reads Korean with a
 * Korean voice.
 */
import { useEffect, useState } from 'preact/hooks';

export type Language = 'ko' | 'en';
export const LANGUAGES: readonly Language[] = ['ko', 'en'];

const KEY = 'baro-quiz:language';
const listeners = new Set<(language: Language) => void>();

/** The first of the browser's languages that the UI speaks; English otherwise. */
export function preferredLanguage(browserLanguages: readonly string[]): Language {
  for (const tag of browserLanguages) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'ko' || base === 'en') return base;
  }
  return 'en';
}

function stored(): Language | null {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'ko' || value === 'en' ? value : null;
  } catch {
    return null;
  }
}

let current: Language = stored() ?? preferredLanguage(navigator.languages ?? [navigator.language]);
document.documentElement.lang = current;

export const currentLanguage = (): Language => current;

export function setLanguage(language: Language): void {
  current = language;
  document.documentElement.lang = language;
  try {
    localStorage.setItem(KEY, language);
  } catch {
    // Not kept: the next visit follows the browser again.
  }
  for (const listener of [...listeners]) listener(language);
}

export function useLanguage(): Language {
  const [language, setState] = useState(current);
  useEffect(() => {
    setState(current);
    listeners.add(setState);
    return () => void listeners.delete(setState);
  }, []);
  return language;
}
