import type { AnswerDistribution } from '../../../src/shared/protocol.ts';
import { useT } from '../i18n/index.ts';
import { optionLetter } from './letters.ts';

/**
 * How the room answered a closed question: a bar per option (the correct ones marked), or the most
 * frequent short answers. Each bar is a `<progress>` element, so its length needs no inline style
 * (which a strict CSP would block).
 */
export function AnswerChart({ distribution, options, correctOptions }: { distribution: AnswerDistribution; options?: string[]; correctOptions?: number[] }) {
  const t = useT();
  const rows =
    distribution.kind === 'choice'
      ? distribution.counts.map((count, index) => ({
          key: String(index),
          label: `${optionLetter(index)}. ${options?.[index] ?? ''}`,
          count,
          correct: correctOptions?.includes(index) ?? false,
        }))
      : distribution.top.map((group) => ({ key: group.answer, label: group.answer, count: group.count, correct: group.correct }));
  const max = Math.max(1, ...rows.map((row) => row.count));
  return (
    <section class="chart" data-testid="answer-chart" aria-label={t.chart.title}>
      <h3>{t.chart.title}</h3>
      <ul class="chart-rows">
        {rows.map((row) => (
          <li key={row.key} class={row.correct ? 'chart-row correct' : 'chart-row'} data-testid="chart-row" data-count={row.count} data-correct={row.correct ? 'true' : undefined}>
            <span class="bar-label">
              {row.label}
              {row.correct && <span class="visually-hidden"> ({t.chart.correct})</span>}
            </span>
            <progress class="bar-fill" max={max} value={row.count} aria-hidden="true" />
            <span class="bar-count">{t.chart.players(row.count)}</span>
          </li>
        ))}
      </ul>
      <p class="muted">
        {t.chart.answered(distribution.answered)}
        {distribution.kind === 'short' && distribution.others > 0 && ` · ${t.chart.others(distribution.others)}`}
      </p>
    </section>
  );
}
