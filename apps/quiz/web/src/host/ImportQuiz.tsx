import { useState } from 'preact/hooks';
import { useT } from '../i18n/index.ts';
import { ApiFailure, type HostApi } from '../api.ts';
import { ErrorLines } from '../components/ErrorLines.tsx';
import { errorMessage } from '../errors.ts';

/** By extension; a file without a telling one is JSON when it looks like it. */
function formatOf(file: File, text: string): 'json' | 'markdown' {
  if (/\.json$/i.test(file.name)) return 'json';
  if (/\.(md|markdown)$/i.test(file.name)) return 'markdown';
  return text.trimStart().startsWith('{') ? 'json' : 'markdown';
}

export function ImportQuiz({ api, onImported }: { api: HostApi; onImported: () => void }) {
  const t = useT();
  const [errors, setErrors] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);

  const onChange = async (event: Event & { currentTarget: HTMLInputElement }): Promise<void> => {
    const input = event.currentTarget;
    const file = input.files?.[0];
    if (!file) return;
    setBusy(true);
    setErrors(null);
    try {
      const text = await file.text();
      await api.saveQuiz({ format: formatOf(file, text), text });
      onImported();
    } catch (error) {
      setErrors(error instanceof ApiFailure ? error.lines : [errorMessage(error)]);
    } finally {
      setBusy(false);
      // The same file can be picked again after fixing it.
      input.value = '';
    }
  };

  return (
    <div class="stack tight">
      <label class="file-button">
        {busy ? t.dashboard.importing : t.dashboard.import}
        <input type="file" accept=".json,.md,.markdown,application/json,text/markdown" data-testid="import-file" onChange={onChange} disabled={busy} />
      </label>
      {errors && <ErrorLines lines={errors} testId="import-error" />}
    </div>
  );
}
