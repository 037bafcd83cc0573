/** The report layer: seed aggregates, tables, figures and the HTML report of a sweep. */
export * from './schema.ts';
export * from './errors.ts';
export { aggregateCells, sampleStats, withDrops, defenseLabel, defenseSlug, DROP_OF, type CellObservation, type CellEvaluationValues } from './aggregate.ts';
export { collectSweep, findSweep, type CollectedSweep, type FoundSweep, type SweepLocator } from './collect.ts';
export { buildTable } from './table.ts';
export { tableToCsv, comparisonsToCsv } from './csv.ts';
export { terminalTable, comparisonLines, comparisonsText, type TerminalTableOptions } from './terminal.ts';
export { buildComparisons, comparisonLabel, DEFENSE_METRICS, ATTACK_METRICS, COMPARISON_NOTE } from './comparisons.ts';
export { pairedComparison, type PairedComparison } from './paired.ts';
export { studentTCdf, studentTQuantile, studentTTwoSided } from './student-t.ts';
export { parentRunMetrics, changedMetrics, comparisonMetrics } from './parent-metrics.ts';
export { tableFiles, fullReportFiles, writeReportFolder, tableJson, type ReportFile } from './files.ts';
export { publishReport, previousTable, runUrl, REPORT_ARTIFACT_DIR } from './publish.ts';
export { reportHtml } from './html.ts';
export { figureSpecs, renderFigures, type Figure } from './figures/index.ts';
