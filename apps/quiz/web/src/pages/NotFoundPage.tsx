import { Link } from '../components/Link.tsx';

export function NotFoundPage() {
  return (
    <main class="page narrow">
      <h1>Page not found</h1>
      <p>
        <Link href="/">Enter a join code</Link>
      </p>
    </main>
  );
}
