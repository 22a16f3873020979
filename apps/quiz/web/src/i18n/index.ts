import { en, type Messages } from './en.ts';
import { ko } from './ko.ts';
import { currentLanguage, useLanguage, type Language } from './language.ts';

export type { Messages };
export { LANGUAGES, setLanguage, useLanguage, type Language } from './language.ts';

const CATALOGUES: Record<Language, Messages> = { en, ko };

/** The messages of the current language, re-rendering the component when it changes. */
export function useT(): Messages {
  return CATALOGUES[useLanguage()];
}

/** Outside components (stores, error helpers): the language of the moment. */
export const messages = (): Messages => CATALOGUES[currentLanguage()];
