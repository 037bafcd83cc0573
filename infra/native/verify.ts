/**
 * Step "verify": in a fresh Node process (a broken addon must not take this one down), load
 * tfjs-node, check that TF.js really switched to the 'tensorflow' backend, and run a matMul with
 * a known answer: [[1,2],[3,4]]·[[5,6],[7,8]] = [[19,22],[43,50]].
 */
import { join } from 'node:path';
import { lastLines, runCommand } from '../local/run-command.ts';
import { NativeSetupError } from './errors.ts';
import type { NativePaths } from './paths.ts';

export interface Verified {
  /** TF_Version() of the loaded libtensorflow. */
  tfVersion: string;
  matMul: number[];
}

const SCRIPT = `
const tf = await import('@tensorflow/tfjs-node');
await tf.ready();
if (tf.getBackend() !== 'tensorflow') throw new Error('tf.getBackend() = ' + tf.getBackend());
const out = Array.from(await tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]])).data());
if (out.join() !== '19,22,43,50') throw new Error('matMul gave ' + out.join());
process.stdout.write(JSON.stringify({ tfVersion: tf.backend().binding.TF_Version, matMul: out }) + '\\n');
`;

export async function verifyAddon(paths: NativePaths, repoRoot: string): Promise<Verified> {
  const logFile = join(paths.logsDir, 'verify.log');
  const r = await runCommand(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    timeoutMs: 120_000,
    cwd: repoRoot,
    capture: true,
    logFile,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '1' },
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.code === 0 && line.startsWith('{')) return JSON.parse(line) as Verified;
  throw new NativeSetupError(
    'verify',
    `loading @tensorflow/tfjs-node failed (exit ${r.code ?? r.signal}):\n${lastLines(r.tail, 8)}`,
    'rerun `rexsweep setup native --force`; if it fails again, the log says which symbol or library is missing',
    logFile,
  );
}
