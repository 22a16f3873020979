/** The q-quantile (0..1) of values by the nearest-rank method; NaN for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

export function summarize(values: readonly number[]): LatencySummary {
  let max = Number.NaN;
  for (const value of values) if (!(value <= max)) max = value;
  return { p50: quantile(values, 0.5), p99: quantile(values, 0.99), max, count: values.length };
}
