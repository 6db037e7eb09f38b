/**
 * A console result as CSV (RFC 4180, CRLF), shared by the server's `?format=csv` answer and the web
 * console's export so both write the same file. A cell starting with a formula character is prefixed
 * with `'` so spreadsheets show it instead of running it. No imports: the browser bundle uses it too.
 */
export function resultToCsv(result: { columns: string[]; rows: unknown[][] }): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [result.columns, ...result.rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
