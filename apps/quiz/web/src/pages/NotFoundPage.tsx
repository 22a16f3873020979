import { Link } from '../components/Link.tsx';
import { useT } from '../i18n/index.ts';

export function NotFoundPage() {
  const t = useT();
  return (
    <main class="page narrow">
      <h1>{t.dashboard.notFound}</h1>
      <p>
        <Link href="/">{t.dashboard.enterCode}</Link>
      </p>
    </main>
  );
}
