/**
 * A PrettyTable-style box, left-aligned, as Nodepool's commands printed them, so scripts
 * that read Nodepool's output keep working.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]) {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;

  return [rule, line(headers), rule, ...rows.map(line), rule].join('\n');
}

/** Time in the current state as Nodepool showed it: `dd:hh:mm:ss`. */
export function formatAge(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  return [days, hours, minutes, seconds].map((n) => String(n).padStart(2, '0')).join(':');
}
