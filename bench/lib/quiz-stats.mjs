// Small statistics and formatting helpers of the quiz benchmark (bench/quiz.mjs).
import { fmt } from './table.mjs';

export const r1 = (x) => (x == null || !Number.isFinite(x) ? null : +x.toFixed(1));
export const r2 = (x) => (x == null || !Number.isFinite(x) ? null : +x.toFixed(2));

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function pct(sorted, p) {
  if (!sorted.length) return null;
  const k = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[k - 1];
}

/** min / p50 / p90 / p99 / p99.9 / max / mean of a list of numbers (ms), rounded to 0.01. */
export function summary(values) {
  const s = Float64Array.from(values).sort();
  if (!s.length) return { n: 0 };
  let sum = 0;
  for (const v of s) sum += v;
  return {
    n: s.length, min: r2(s[0]), p50: r2(pct(s, 50)), p90: r2(pct(s, 90)), p99: r2(pct(s, 99)), p999: r2(pct(s, 99.9)),
    max: r2(s[s.length - 1]), mean: r2(sum / s.length),
  };
}

/** Plain left-aligned-label / right-aligned-values table. rows: [label, ...cells]. */
export function simpleTable(header, rows) {
  const text = (v) => (typeof v === 'string' ? v : fmt(v));
  const all = [header, ...rows].map((r) => r.map(text));
  const w = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(all[0]), '-'.repeat(w.reduce((a, b) => a + b + 2, -2)), ...all.slice(1).map(line)].join('\n');
}
