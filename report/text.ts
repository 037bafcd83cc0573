/**
 * Plain text for terminals, one way everywhere: the columns of rexsweep's tables (the cell's
 * result, the sweep's cells, the report) and how long something took or will take.
 */
export type Align = 'left' | 'right';

/** The width of each column: its widest cell. */
export function columnWidths(rows: ReadonlyArray<ReadonlyArray<string>>): number[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, k) => (widths[k] = Math.max(widths[k] ?? 0, cell.length)));
  return widths;
}

/** Each cell padded to its column's width, on the side `align(k)` says. */
export function padRow(cells: ReadonlyArray<string>, widths: ReadonlyArray<number>, align: (column: number) => Align = () => 'left'): string[] {
  return cells.map((cell, k) => (align(k) === 'right' ? cell.padStart(widths[k]) : cell.padEnd(widths[k])));
}

/** The rule under a header: one run of ─ per column. */
export function ruleRow(widths: ReadonlyArray<number>): string[] {
  return widths.map((w) => '─'.repeat(w));
}

/** Seconds as a person reads them: "42 s", "17 min", "2.5 h". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
