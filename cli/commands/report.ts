/**
 * `rexsweep report <sweep.yaml | sweep id>`: the sweep's seed-aggregated results, recomputed
 * from MLflow alone (its cell runs), as a terminal table in the paper's shape followed by the
 * paired comparisons of its columns, `--json` or `--csv` (`--comparisons`: every comparison
 * instead of the table); `--out DIR` also writes the HTML report with its figures and
 * comparisons.csv and logs it all to the sweep's parent run (what the sweep's own final report
 * step logs).
 */
import { ATTACK_NAMES, type AttackName } from '../../recsys/attacks/index.ts';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ensureLocalServices } from '../../infra/local/index.ts';
import { choiceOption, numberOption } from '../options.ts';
import { sweepId } from '../../sweep/fingerprint.ts';
import { loadSweepFile } from '../../sweep/load.ts';
import { authFromEnv, MlflowClient } from '../../tracking/index.ts';

interface ReportOptions {
  study?: string;
  json?: boolean;
  csv?: boolean;
  out?: string;
  log: boolean;
  attack: AttackName;
  epsilon?: number;
  comparisons?: boolean;
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description("a sweep's results over seeds (mean ± SD), recomputed from MLflow: table, JSON, CSV, HTML report with figures")
    .argument('<sweep>', 'the sweep config file, or its sweep id')
    .option('--study <name>', 'the MLflow experiment of a sweep id (default: search every experiment)')
    .option('--json', 'print the aggregates table as JSON')
    .option('--csv', 'print the aggregates table as CSV')
    .option('--out <dir>', 'write report.html, figures/, aggregates.csv and .json, comparisons.csv to DIR and log them to the sweep run')
    .option('--no-log', 'with --out: do not log the report to MLflow')
    .option('--attack <attack>', `attacked columns of the terminal table: ${ATTACK_NAMES.join(', ')}`, choiceOption('--attack', ATTACK_NAMES), 'fgsm')
    .option('--epsilon <ε_A>', 'ε_A of the attacked columns (default the largest)', numberOption('--epsilon'))
    .option('--comparisons', 'print every paired comparison (defended vs vanilla, FGSM vs random: mean difference, 95 % CI, p) instead of the table; with --json or --csv in that form')
    .action(async (sweep: string, opts: ReportOptions) => {
      const where = existsSync(sweep)
        ? await loadSweepFile(sweep).then((config) => ({ sweepId: sweepId(config), study: config.study }))
        : { sweepId: sweep, study: opts.study };
      const log = (m: string) => process.stderr.write(`${m}\n`);
      // Loaded here: vega and resvg are not worth loading for every other command.
      const { buildTable, collectSweep, comparisonsText, comparisonsToCsv, fullReportFiles, publishReport, runUrl, tableJson, tableToCsv, terminalTable, writeReportFolder } =
        await import('../../report/index.ts');
      const services = await ensureLocalServices({ only: ['mlflow'] });
      const mlflow = new MlflowClient({ trackingUri: services.mlflowUri, auth: authFromEnv() });

      const collected = await collectSweep(mlflow, where);
      const table = buildTable(collected);
      if (collected.unfinished > 0) log(`rexsweep: ${collected.unfinished} cell run(s) not FINISHED are left out`);

      if (opts.comparisons) {
        if (opts.json) process.stdout.write(JSON.stringify(table.comparisons, null, 2) + '\n');
        else if (opts.csv) process.stdout.write(comparisonsToCsv(table));
        else process.stdout.write(comparisonsText(table));
      } else if (opts.json) process.stdout.write(tableJson(table));
      else if (opts.csv) process.stdout.write(tableToCsv(table));
      else process.stdout.write(terminalTable(table, { attack: opts.attack, epsilonA: opts.epsilon }));

      if (opts.out !== undefined) {
        const dir = resolve(opts.out);
        const url = runUrl(mlflow.trackingUri, { experimentId: collected.experimentId, parentRunId: collected.parent.info.runId });
        const { files, figures } = await fullReportFiles(table, { mlflowRunUrl: url });
        await writeReportFolder(dir, files);
        log(`report: ${dir}/report.html (${figures.length} figures)`);
        if (opts.log) {
          await publishReport(mlflow, collected.parent.info.runId, table, files);
          log(`logged to MLflow: ${url} (artifacts report/)`);
        }
      }
    });
}

