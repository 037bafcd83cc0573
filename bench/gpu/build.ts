/**
 * Bundles bench/gpu/entry.ts and everything it imports (rexsweep's recsys, TF.js, the WebGPU
 * backend, zod, ...) into one ES module for the GPU machine, which has no node_modules. Left out:
 * `webgpu` (it loads dawn.node from beside its own index.js; prepare.sh lays that package out next
 * to the bundle) and the native TensorFlow packages (never used there; their import fails and
 * selectBackend reports them absent).
 *
 * Prints {"bundle", "bytes", "sourceHash"}: sourceHash covers the bundle's inputs from recsys/, the
 * agreement cell's definition and runner, and the lockfile, so prepare.sh recomputes the CPU
 * references exactly when something they depend on changed.
 *
 *   npx tsx bench/gpu/build.ts <out-dir>
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const outDir = process.argv[2];
if (!outDir) throw new Error('usage: build.ts <out-dir>');
const outfile = join(outDir, 'rexsweep-gpu.mjs');

const result = await build({
  entryPoints: [join(REPO, 'bench/gpu/entry.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  // Some bundled CommonJS calls require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __rexsweepRequire } from 'node:module'; const require = __rexsweepRequire(import.meta.url);" },
  minifyWhitespace: true,
  metafile: true,
  logLevel: 'warning',
  absWorkingDir: REPO,
});

// Only what the CPU references depend on (recsys/ and the cell's definition), not the rest of the check.
const REFERENCE_INPUTS = ['bench/gpu/agreement-spec.ts', 'bench/gpu/cell.ts'];
const inputs = Object.keys(result.metafile.inputs).filter((p) => p.startsWith('recsys/') || REFERENCE_INPUTS.includes(p)).sort();
const hash = createHash('sha256');
for (const p of [...inputs, 'package-lock.json']) {
  hash.update(`${p}\0`);
  hash.update(readFileSync(join(REPO, p)));
}
process.stdout.write(`${JSON.stringify({ bundle: outfile, bytes: statSync(outfile).size, inputs: inputs.length, sourceHash: hash.digest('hex').slice(0, 16) })}\n`);
