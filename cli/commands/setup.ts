/**
 * `rexsweep setup native [--gpu] [--force] [--json]`: build @tensorflow/tfjs-node against the C
 * library of TensorFlow's PyPI wheel, or with --gpu @tensorflow/tfjs-node-gpu against the
 * `tensorflow` wheel and NVIDIA's CUDA wheels (infra/native/). Idempotent; a failure exits 1
 * naming the step and what to do, and rexsweep goes on with what it has.
 */
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function registerSetupCommand(program: Command): void {
  const setup = program.command('setup').description('install optional parts from the package registries');
  setup
    .command('native')
    .description("native TensorFlow for TF.js: tfjs-node's addon built against the tensorflow-cpu wheel from PyPI (--gpu: tfjs-node-gpu's, against the tensorflow wheel and NVIDIA's CUDA wheels)")
    .option('--gpu', 'build the GPU addon (tensorflow 2.15.1 + the 12 NVIDIA wheels of its and-cuda extra, ~2.4 GB download)')
    .option('--force', 'rebuild the addon even if one is built (keeps the downloaded wheels)')
    .option('--json', 'print the result as one JSON object')
    .action(async (opts: { gpu?: boolean; force?: boolean; json?: boolean }) => {
      const { setupNative } = await import('../../infra/native/index.ts');
      const flavour = opts.gpu ? 'gpu' : 'cpu';
      const result = await setupNative({
        repoRoot: REPO_ROOT,
        flavour,
        force: opts.force,
        log: (m) => process.stderr.write(`setup native${opts.gpu ? ' --gpu' : ''}: ${m}\n`),
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const from = result.beside.length ? `${result.wheel} + ${result.beside.length} NVIDIA wheels` : result.wheel;
      const lines = [
        `native TensorFlow ${result.tfVersion}${opts.gpu ? ' (GPU build)' : ''} ready (${result.outcome}, ${result.seconds.toFixed(1)} s): ` +
          `${from} from PyPI, addon ${result.addon}, cache ${result.cache}`,
      ];
      if (!opts.gpu) {
        lines.push(`rexsweep now picks backend 'tensorflow' (check: rexsweep doctor)`);
      } else if (result.gpu) {
        lines.push(`TensorFlow sees: ${result.devices?.join(', ') || 'a GPU'}`);
        if (result.note) lines.push(`note: ${result.note}`);
        lines.push(`rexsweep now picks backend 'tensorflow-gpu' (check: rexsweep doctor)`);
      } else {
        lines.push(`TensorFlow sees no CUDA device here: ${result.noGpuReason}`);
        lines.push(`(the build loads and computes on the CPU; on a host with a GPU, auto picks backend 'tensorflow-gpu')`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
