import { useState } from 'preact/hooks';
import { IMAGE_MAX_BYTES, IMAGE_TYPES } from '../../../src/shared/protocol.ts';
import type { HostApi } from '../api.ts';
import { errorMessage } from '../errors.ts';
import { useT } from '../i18n/index.ts';

const ACCEPT = IMAGE_TYPES.join(',');

/**
 * A picture for a question or an option: picked from a file, checked here for type and size (the
 * server checks again, by the file's bytes), uploaded, previewed; removable.
 */
export function ImagePicker({ api, image, label, testId, onChange }: { api: HostApi; image: string | undefined; label: string; testId: string; onChange: (image: string | undefined) => void }) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pick = async (file: File | undefined): Promise<void> => {
    setError(null);
    if (!file) return;
    if (!(IMAGE_TYPES as readonly string[]).includes(file.type)) return setError(t.images.wrongType);
    if (file.size > IMAGE_MAX_BYTES) return setError(t.images.tooLarge(Math.round(IMAGE_MAX_BYTES / 1024 / 1024)));
    setBusy(true);
    try {
      onChange((await api.uploadImage(file)).id);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="image-picker row wrap" data-testid={testId}>
      {image && <img class="image-preview" src={`/media/${encodeURIComponent(image)}`} alt="" data-testid={`${testId}-preview`} />}
      <label class="file-button small">
        {busy ? t.images.uploading : image ? t.images.replace(label) : t.images.add(label)}
        <input
          type="file"
          accept={ACCEPT}
          data-testid={`${testId}-file`}
          disabled={busy}
          onChange={(event) => {
            void pick(event.currentTarget.files?.[0]);
            event.currentTarget.value = '';
          }}
        />
      </label>
      {image && (
        <button type="button" class="small" data-testid={`${testId}-remove`} onClick={() => onChange(undefined)}>
          {t.images.remove}
        </button>
      )}
      {error && (
        <p class="error small" role="alert" data-testid={`${testId}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
