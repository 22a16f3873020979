import { useT } from '../i18n/index.ts';

/** "12/20" under a field; past the limit it turns red and says so (the form refuses to send). */
export function LengthCounter({ length, max, testId }: { length: number; max: number; testId: string }) {
  const t = useT();
  const over = length > max;
  return (
    <p class={over ? 'counter over' : 'counter'} data-testid={testId} data-over={over ? 'true' : undefined} aria-live={over ? 'polite' : 'off'}>
      {t.join.counter(length, max)}
      {over && ` · ${t.errors.tooLong(max)}`}
    </p>
  );
}
