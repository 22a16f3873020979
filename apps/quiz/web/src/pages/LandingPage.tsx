import { useState } from 'preact/hooks';
import { LanguageSwitch } from '../components/LanguageSwitch.tsx';
import { Link } from '../components/Link.tsx';
import { useT } from '../i18n/index.ts';
import { navigate } from '../router.ts';

const CODE_LENGTH = 6;

export function LandingPage() {
  const t = useT();
  const [code, setCode] = useState('');
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    if (code.length === CODE_LENGTH) navigate(`/join/${code}`);
  };
  return (
    <main class="page narrow">
      <LanguageSwitch />
      <h1 class="brand">{t.landing.title}</h1>
      <form class="card stack" onSubmit={onSubmit}>
        <label for="join-code">{t.landing.codeLabel}</label>
        <input
          id="join-code"
          class="code-input"
          data-testid="join-code-input"
          value={code}
          onInput={(event) => {
            const typed = event.currentTarget.value.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, CODE_LENGTH);
            // Set here too: when the cleaned code equals the previous one there is no re-render to fix the field.
            event.currentTarget.value = typed;
            setCode(typed);
          }}
          maxLength={CODE_LENGTH}
          autoComplete="off"
          autoCapitalize="characters"
          spellcheck={false}
          placeholder="ABC123"
          autoFocus
        />
        <button class="primary big" type="submit" data-testid="join-code-go" disabled={code.length !== CODE_LENGTH}>
          {t.landing.join}
        </button>
      </form>
      <p class="center">
        <Link href="/host">{t.landing.host}</Link>
      </p>
    </main>
  );
}
