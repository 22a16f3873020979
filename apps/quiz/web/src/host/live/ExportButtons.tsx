import { useState } from 'preact/hooks';
import { useT } from '../../i18n/index.ts';
import type { HostApi } from '../../api.ts';
import { errorMessage } from '../../errors.ts';

/** The CSV needs the bearer header, so it is fetched and handed to the browser as a file rather than linked. */
function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  // Not at once: the browser may still be reading it when click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ExportButtons({ api, liveId, code }: { api: HostApi; liveId: string; code: string }) {
  const t = useT();
  const [error, setError] = useState<string | null>(null);
  const download = async (name: 'results' | 'submissions'): Promise<void> => {
    setError(null);
    try {
      saveBlob(await api.csv(liveId, name), `quiz-${code}-${name}.csv`);
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };
  return (
    <section class="card stack tight">
      <h2>{t.dashboard.export}</h2>
      <div class="row wrap">
        <button data-testid="export-results" onClick={() => download('results')}>
          {t.dashboard.exportResults}
        </button>
        <button data-testid="export-submissions" onClick={() => download('submissions')}>
          {t.dashboard.exportSubmissions}
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
