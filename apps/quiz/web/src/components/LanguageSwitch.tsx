import { LANGUAGES, setLanguage, useLanguage, useT } from '../i18n/index.ts';
import { en } from '../i18n/en.ts';
import { ko } from '../i18n/ko.ts';

const NAMES = { en: en.languageName, ko: ko.languageName };

/** Each language named in itself, so a visitor finds theirs whatever the page speaks now. */
export function LanguageSwitch() {
  const language = useLanguage();
  const t = useT();
  return (
    <div class="language-switch" role="group" aria-label={t.languageSwitch}>
      {LANGUAGES.map((code) => (
        <button
          key={code}
          type="button"
          lang={code}
          class="link"
          data-testid={`language-${code}`}
          aria-pressed={language === code}
          onClick={() => setLanguage(code)}
        >
          {NAMES[code]}
        </button>
      ))}
    </div>
  );
}
