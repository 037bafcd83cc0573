/**
 * A report as files, relative to its folder (on disk with `rexsweep report --out DIR`, or
 * `report/` in the parent run's artifacts):
 *
 *   aggregates.json   the table (report/schema.ts)
 *   aggregates.csv    the same, one row per group (report/csv.ts)
 *   comparisons.csv   the table's paired comparisons, one row each (report/csv.ts)
 *   report.html       tables + figures, self-contained (report/html.ts)      full reports only
 *   figures/<name>.svg, figures/<name>.png                                   full reports only
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { comparisonsToCsv, tableToCsv } from './csv.ts';
import { renderFigures, type Figure } from './figures/index.ts';
import { reportHtml, type HtmlMeta } from './html.ts';
import type { AggregateTable } from './schema.ts';

export interface ReportFile {
  path: string;
  data: string | Buffer;
  contentType: string;
}

export function tableJson(table: AggregateTable): string {
  return JSON.stringify(table, null, 2) + '\n';
}

export function tableFiles(table: AggregateTable): ReportFile[] {
  return [
    { path: 'aggregates.json', data: tableJson(table), contentType: 'application/json' },
    { path: 'aggregates.csv', data: tableToCsv(table), contentType: 'text/csv' },
    { path: 'comparisons.csv', data: comparisonsToCsv(table), contentType: 'text/csv' },
  ];
}

export async function fullReportFiles(table: AggregateTable, meta: HtmlMeta = {}): Promise<{ files: ReportFile[]; figures: Figure[] }> {
  const figures = await renderFigures(table);
  const files = [
    ...tableFiles(table),
    { path: 'report.html', data: reportHtml(table, figures, meta), contentType: 'text/html' },
    ...figures.flatMap((f) => [
      { path: `figures/${f.name}.svg`, data: f.svg, contentType: 'image/svg+xml' },
      { path: `figures/${f.name}.png`, data: f.png, contentType: 'image/png' },
    ]),
  ];
  return { files, figures };
}

export async function writeReportFolder(dir: string, files: ReadonlyArray<ReportFile>): Promise<void> {
  for (const f of files) {
    const target = join(dir, f.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, f.data);
  }
}
