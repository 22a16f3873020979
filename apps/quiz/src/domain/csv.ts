/** CSV helpers (RFC 4180, CRLF line ends) with spreadsheet formula-injection guarding. */

export type CsvValue = string | number | boolean | null | undefined;

/**
 * One CSV cell. Text starting with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with `'`
 * so spreadsheets show it as text instead of evaluating it (OWASP "CSV injection"). Numbers are
 * written as they are. Cells containing a comma, quote, CR/LF or edge spaces are quoted, with
 * quotes doubled.
 */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  if (/[",\r\n]/.test(text) || /^\s|\s$/.test(text)) text = `"${text.replace(/"/g, '""')}"`;
  return text;
}

export function csvRow(values: readonly CsvValue[]): string {
  return values.map(csvCell).join(',');
}

export function toCsv(rows: readonly (readonly CsvValue[])[]): string {
  return rows.map(csvRow).join('\r\n') + '\r\n';
}
