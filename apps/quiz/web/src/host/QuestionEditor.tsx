import { optionLetter } from '../components/letters.ts';
import { SecondsField } from '../components/SecondsField.tsx';
import type { HostApi } from '../api.ts';
import { useT } from '../i18n/index.ts';
import { ImagePicker } from './ImagePicker.tsx';
import { MAX_OPTIONS, MIN_OPTIONS, type OptionDraft, type QuestionDraft } from './quiz-draft.ts';

interface Props {
  api: HostApi;
  question: QuestionDraft;
  index: number;
  count: number;
  onChange: (patch: Partial<QuestionDraft>) => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
}

export function QuestionEditor({ api, question, index, count, onChange, onMove, onRemove }: Props) {
  const t = useT();
  const id = `q${question.key}`;
  const setOption = (at: number, patch: Partial<OptionDraft>): void =>
    onChange({ options: question.options.map((option, i) => (i === at ? { ...option, ...patch } : option)) });

  return (
    <fieldset class="question-editor stack">
      <legend>{t.editor.question(index + 1)}</legend>
      <div class="row wrap">
        <label class="inline">
          {t.editor.kind}
          <select value={question.type} onChange={(event) => onChange({ type: event.currentTarget.value === 'short' ? 'short' : 'choice' })}>
            <option value="choice">{t.editor.choice}</option>
            <option value="short">{t.editor.short}</option>
          </select>
        </label>
        <SecondsField label={t.editor.timeLimit} value={question.timeLimit} onInput={(timeLimit) => onChange({ timeLimit })} />
        <span class="spacer" />
        <button type="button" class="small" onClick={() => onMove(-1)} disabled={index === 0} aria-label={t.editor.moveUp(index + 1)}>
          ↑
        </button>
        <button type="button" class="small" onClick={() => onMove(1)} disabled={index === count - 1} aria-label={t.editor.moveDown(index + 1)}>
          ↓
        </button>
        <button type="button" class="small danger" onClick={onRemove} disabled={count === 1}>
          {t.editor.remove}
        </button>
      </div>

      <label for={`${id}-text`}>{t.editor.text}</label>
      <textarea id={`${id}-text`} rows={2} value={question.text} onInput={(event) => onChange({ text: event.currentTarget.value })} />
      <ImagePicker api={api} image={question.image} label={t.images.question} testId={`question-image-${index}`} onChange={(image) => onChange({ image })} />

      {question.type === 'choice' ? (
        <div class="stack tight">
          <span class="label">{t.editor.options}</span>
          {question.options.map((option, at) => (
            <div class="row option-row" key={at}>
              <input
                type="checkbox"
                checked={option.correct}
                onChange={(event) => setOption(at, { correct: event.currentTarget.checked })}
                aria-label={t.editor.optionCorrect(optionLetter(at))}
              />
              <span class="letter">{optionLetter(at)}</span>
              <input
                class="grow"
                value={option.text}
                onInput={(event) => setOption(at, { text: event.currentTarget.value })}
                aria-label={t.editor.option(optionLetter(at))}
              />
              <ImagePicker
                api={api}
                image={option.image}
                label={t.images.option(optionLetter(at))}
                testId={`option-image-${index}-${at}`}
                onChange={(image) => setOption(at, { image })}
              />
              <button
                type="button"
                class="small"
                onClick={() => onChange({ options: question.options.filter((_, i) => i !== at) })}
                disabled={question.options.length <= MIN_OPTIONS}
                aria-label={t.editor.removeOption(optionLetter(at))}
              >
                ×
              </button>
            </div>
          ))}
          <button
            type="button"
            class="small"
            onClick={() => onChange({ options: [...question.options, { text: '', correct: false }] })}
            disabled={question.options.length >= MAX_OPTIONS}
          >
            {t.editor.addOption}
          </button>
        </div>
      ) : (
        <>
          <label for={`${id}-answers`}>{t.editor.accepted}</label>
          <textarea id={`${id}-answers`} rows={3} value={question.answers} onInput={(event) => onChange({ answers: event.currentTarget.value })} />
        </>
      )}
    </fieldset>
  );
}
