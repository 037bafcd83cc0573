/**
 * `rexsweep cell <cell.yaml> [--json]`: train one model, evaluate it clean and at every ε_A.
 */
import type { Command } from 'commander';
import { loadYamlFile } from '../../recsys/config-file.ts';
import { CellConfigSchema } from '../../recsys/config.ts';
import type { CellProgress } from '../../recsys/cell/run-cell.ts';
import { formatCellTable } from '../format/cell-table.ts';
import { intOption, LIMITS, parseBackendOption } from '../options.ts';
import { preflightCell } from '../preflight.ts';
import { ProgressLine } from '../format/progress-line.ts';

export function registerCellCommand(program: Command): void {
  program
    .command('cell')
    .description('train one cell (dataset, model, λ, ε_D, seed) and evaluate it clean and under attack')
    .argument('<cell.yaml>', 'cell config (see configs/cell-demo.yaml)')
    .option('--json', 'print one JSON object instead of the table')
    .option('--backend <name>', 'force a TF.js backend: tensorflow-gpu, tensorflow, webgpu, wasm or cpu', parseBackendOption)
    .option('--epochs <n>', 'override the number of epochs / iterations', intOption('--epochs', 1, LIMITS.epochs))
    .action(async (file: string, opts: { json?: boolean; backend?: string; epochs?: number }) => {
      const config = await loadYamlFile(file, CellConfigSchema);
      const overridden = CellConfigSchema.parse({
        ...config,
        ...(opts.backend ? { backend: opts.backend } : {}),
        ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}),
      });
      // Refused before TF.js loads: a cell that cannot fit this machine's memory (cli/preflight.ts).
      preflightCell(overridden, file);
      // TF.js loads only once the config is known to be good.
      const { runCell } = await import('../../recsys/cell/run-cell.ts');
      const progress = new ProgressLine(process.stderr);
      const result = await runCell(overridden, {
        log: (msg) => progress.log(msg),
        onProgress: (p: CellProgress) => progress.update(describeProgress(p)),
      });
      progress.done();
      process.stdout.write(opts.json ? JSON.stringify(result) + '\n' : formatCellTable(result) + '\n');
    });
}

function describeProgress(p: CellProgress): { label: string; fraction: number } {
  if (p.phase === 'train') return { label: `train epoch ${p.done}/${p.total} loss ${p.loss?.toFixed(4)}`, fraction: p.done / p.total };
  return { label: `evaluate ${p.label} (${p.done}/${p.total})`, fraction: p.done / p.total };
}
