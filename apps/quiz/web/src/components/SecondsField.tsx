/** A labelled, optional number of seconds (1–600, the quiz file's limits); empty means none. */
export function SecondsField({ label, value, onInput, testId }: { label: string; value: string; onInput: (value: string) => void; testId?: string }) {
  return (
    <label class="inline">
      {label}
      <input
        class="seconds"
        type="number"
        min={1}
        max={600}
        placeholder="none"
        data-testid={testId}
        value={value}
        onInput={(event) => onInput(event.currentTarget.value)}
      />
    </label>
  );
}
