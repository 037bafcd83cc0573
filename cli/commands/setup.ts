/**
 * `rexsweep setup native [--force] [--json]`: build @tensorflow/tfjs-node against the C library
 * of TensorFlow's PyPI wheel (infra/native/). Idempotent; a failure exits 1 naming the step and
 * what to do, and rexsweep goes on using WASM.
 */
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function registerSetupCommand(program: Command): void {
  const setup = program.command('setup').description('install optional parts from the package registries');
  setup
    .command('native')
    .description("native TensorFlow for TF.js: tfjs-node's addon built against the tensorflow-cpu wheel from PyPI")
    .option('--force', 'rebuild the addon even if one is built (keeps the downloaded wheel)')
    .option('--json', 'print the result as one JSON object')
    .action(async (opts: { force?: boolean; json?: boolean }) => {
      const { setupNative } = await import('../../infra/native/index.ts');
      const result = await setupNative({
        repoRoot: REPO_ROOT,
        force: opts.force,
        log: (m) => process.stderr.write(`setup native: ${m}\n`),
      });
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(result)}\n`
          : `native TensorFlow ${result.tfVersion} ready (${result.outcome}, ${result.seconds.toFixed(1)} s): ` +
              `${result.wheel} from PyPI, addon ${result.addon}, cache ${result.cache}\n` +
              `rexsweep now picks backend 'tensorflow' (check: rexsweep doctor)\n`,
      );
    });
}
