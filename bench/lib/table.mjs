// Plain-text table for the runner. Rows are grouped by case; each cell shows
// the value and, where the metric has a direction, the ratio against ws.

/** Ratio normalized so > 1 is better than ws: higher-is-better x/ws, lower-is-better ws/x. */
export function ratioVsWs(v, ws, better) {
  if (typeof v !== 'number' || typeof ws !== 'number' || !(v > 0) || !(ws > 0)) return null;
  return better === 'higher' ? v / ws : ws / v;
}

export function fmt(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  if (typeof v !== 'number') return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export function renderTable(rows, cols, labels) {
  const cellText = (c) => (c.text ?? (fmt(c.value) + (c.mark || '') + (c.ratio != null ? ` (${c.ratio.toFixed(2)})` : '')));
  const metricW = Math.max(6, ...rows.map((r) => r.metric.length + (r.better ? 2 : 0))) + 2;
  const widths = cols.map((id) => Math.max(labels[id].length, ...rows.map((r) => cellText(r.cells[id]).length)) + 2);
  const line = (first, cells) => first.padEnd(metricW) + cells.map((t, i) => t.padStart(widths[i])).join('');
  const out = [line('', cols.map((id) => labels[id]))];
  out.push('-'.repeat(metricW + widths.reduce((a, b) => a + b, 0)));
  let lastCase = null;
  for (const r of rows) {
    if (r.case !== lastCase) { out.push(`${r.case}`); lastCase = r.case; }
    const arrow = r.better === 'higher' ? ' ^' : r.better === 'lower' ? ' v' : '';
    out.push(line(`  ${r.metric}${arrow}`, cols.map((id) => cellText(r.cells[id]))));
  }
  out.push('(^ higher is better, v lower is better; ratio in parentheses vs ws+bufferutil, > 1.00 = better than ws;');
  out.push(' * = other processes disturbed the run kept, see the warning below)');
  return out.join('\n');
}
