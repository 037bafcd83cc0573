/**
 * Step "verify": in a fresh Node process (a broken addon must not take this one down), load the
 * built package, check that TF.js really switched to the 'tensorflow' backend, and run a matMul
 * with a known answer: [[1,2],[3,4]]·[[5,6],[7,8]] = [[19,22],[43,50]]. For the GPU build it also
 * says whether TensorFlow placed it on a GPU, which one, or why not: the process runs with
 * TensorFlow's INFO log on (device lines and CUDA errors are INFO/WARNING) and the CUDA settings
 * compute children use. A machine without a GPU passes (the matMul runs on the CPU) and says why.
 * `rexsweep doctor` runs the same probe.
 */
import { join } from 'node:path';
import { cudaEnv, describeDevice, explainNoCudaDevice, jitNote, parseTfDevices, probeDriver, type DriverProbe } from '../../recsys/backends/cuda.ts';
import { lastLines, runCommand } from '../local/run-command.ts';
import { NativeSetupError } from './errors.ts';
import type { NativePaths } from './paths.ts';
import { setupCommand } from './versions.ts';

export interface Verified {
  /** TF_Version() of the loaded libtensorflow. */
  tfVersion: string;
  matMul: number[];
  /** GPU build: whether TensorFlow placed ops on a GPU. */
  gpu?: boolean;
  /** GPU build: the CUDA devices TensorFlow created, in words. */
  devices?: string[];
  /** GPU build without a device: why, in words. */
  noGpuReason?: string;
  /** GPU build on a GPU newer than its kernels: the JIT note. */
  note?: string;
}

const MARK = 'REXSWEEP-VERIFY ';

const script = (pkg: string) => `
const tf = await import(${JSON.stringify(pkg)});
await tf.ready();
if (tf.getBackend() !== 'tensorflow') throw new Error('tf.getBackend() = ' + tf.getBackend());
const out = Array.from(await tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]])).data());
if (out.join() !== '19,22,43,50') throw new Error('matMul gave ' + out.join());
const b = tf.backend();
process.stdout.write(${JSON.stringify(MARK)} + JSON.stringify({ tfVersion: b.binding.TF_Version, matMul: out, gpu: Boolean(b.isUsingGpuDevice) }) + '\\n');
`;

/** Interpret the probe's output (stdout and TensorFlow's stderr, merged) for the GPU build. */
export function readGpuProbe(output: string, driver: DriverProbe, cacheDir: string): Pick<Verified, 'devices' | 'noGpuReason' | 'note'> & { gpu?: boolean } {
  const line = output.split('\n').find((l) => l.startsWith(MARK));
  const gpu = line ? (JSON.parse(line.slice(MARK.length)) as { gpu: boolean }).gpu : undefined;
  const devices = parseTfDevices(output);
  if (!gpu) return { devices: [], noGpuReason: explainNoCudaDevice(driver, output) };
  const notes = devices.map((d) => jitNote(d, cacheDir)).filter((n): n is string => Boolean(n));
  return { devices: devices.map(describeDevice), note: notes[0] };
}

export async function verifyAddon(paths: NativePaths, repoRoot: string, log: (m: string) => void = () => {}): Promise<Verified> {
  const gpu = paths.spec.flavour === 'gpu';
  const logFile = join(paths.logsDir, 'verify.log');
  const cuda = gpu ? cudaEnv() : {};
  // GPU: stderr merged into stdout (TensorFlow's log says which device, or why none), kept whole.
  const node = [process.execPath, '--input-type=module', '-e', script(paths.spec.tfjs.package)];
  const r = await runCommand(gpu ? 'sh' : node[0], gpu ? ['-c', 'exec "$0" "$@" 2>&1', ...node] : node.slice(1), {
    // On a GPU newer than the build's kernels the first use JIT-compiles PTX (TensorFlow warns: up to 30 min).
    timeoutMs: gpu ? 45 * 60_000 : 120_000,
    cwd: repoRoot,
    capture: true,
    logFile,
    env: { ...process.env, ...cuda, TF_CPP_MIN_LOG_LEVEL: gpu ? '0' : (process.env.TF_CPP_MIN_LOG_LEVEL ?? '1') },
    onHeartbeat: gpu ? (ms) => log(`  still verifying (${Math.round(ms / 1000)} s; a first run on a GPU newer than sm_80 JIT-compiles kernels into ${cuda.CUDA_CACHE_PATH})`) : undefined,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith(MARK)) ?? r.stdout.trim().split('\n').pop() ?? '';
  if (r.code === 0 && line.startsWith(MARK)) {
    const v = JSON.parse(line.slice(MARK.length)) as Verified;
    if (!gpu) return { tfVersion: v.tfVersion, matMul: v.matMul };
    return { tfVersion: v.tfVersion, matMul: v.matMul, gpu: v.gpu, ...readGpuProbe(r.stdout, probeDriver(), cuda.CUDA_CACHE_PATH) };
  }
  throw new NativeSetupError(
    'verify',
    `loading ${paths.spec.tfjs.package} failed (exit ${r.code ?? r.signal}):\n${lastLines(r.tail, 8)}`,
    `rerun \`${setupCommand(paths.spec.flavour)} --force\`; if it fails again, the log says which symbol or library is missing`,
    logFile,
    paths.spec.flavour,
  );
}
