/**
 * The bundle's one entry (bench/gpu/.bundle/rexsweep-gpu.mjs): the GPU machine has no npm and no
 * node_modules, so everything a compute needs is bundled into one file, and each part of the
 * check is a subcommand of it, run in its own process:
 *
 *   run [--small] [...]   the whole check → one JSON report (device-run.ts)
 *   info                  the WebGPU adapter (info.ts)
 *   agree ...             the agreement cell vs the CPU references (agree.ts)
 *   cell B M CACHE        the agreement cell on backend B (cell.ts; prepare.sh's references)
 *   train ... / explain   bench/tfjs/cer_train.ts / explainer.ts, unchanged (same flags and JSON)
 *   pack-cell ...         one of k concurrent cells (pack-cell.ts)
 *
 * The modules are imported on demand so that each process loads what its subcommand needs; the
 * bench/tfjs scripts run their main when imported, and read process.argv, hence the splice.
 */
const [cmd] = process.argv.splice(2, 1);
const rest = process.argv.slice(2);

async function main(): Promise<void> {
  switch (cmd) {
    case 'run':
      return (await import('./device-run.ts')).deviceRun(rest);
    case 'info':
      return (await import('./info.ts')).info();
    case 'agree':
      return (await import('./agree.ts')).agree(rest);
    case 'cell':
      return (await import('./cell.ts')).cell(rest);
    case 'pack-cell':
      return (await import('./pack-cell.ts')).packCell(rest);
    case 'train':
      await import('../tfjs/cer_train.ts'); // runs and exits by itself (runMain)
      return new Promise(() => {});
    case 'explain':
      await import('../tfjs/explainer.ts');
      return new Promise(() => {});
    default:
      throw new Error(`unknown subcommand ${cmd ?? '(none)'}: run | info | agree | cell | train | explain | pack-cell`);
  }
}

main().then(
  // Dawn's binding can keep the event loop alive while GPU objects are referenced.
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
