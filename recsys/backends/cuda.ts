/**
 * The CUDA side of native TensorFlow's GPU build (`rexsweep setup native --gpu`, TensorFlow 2.15.1,
 * CUDA 12.2): is there an NVIDIA driver for it, what the process must set before TensorFlow
 * initialises CUDA, and why TensorFlow sees no GPU, in words a person can act on.
 *
 * Probing is split from explaining so the explanations are tested from given probe results.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The oldest Linux driver that runs CUDA 12.x code (CUDA minor-version compatibility); the GPU build's CUDA is 12.2. */
export const CUDA12_MIN_DRIVER = '525.60.13';

/** The highest GPU architecture the GPU build has native kernels (SASS) for; newer majors JIT-compile its PTX. */
export const NATIVE_SASS_MAX_MAJOR = 8;

export interface DriverProbe {
  /** Where libcuda.so.1 (the driver's user-space library) is, if the loader can find it. */
  libcuda?: string;
  /** The kernel module's version from /proc/driver/nvidia/version, when it is loaded. */
  kernelModule?: string;
  /** /dev/nvidia0, /dev/nvidia1, …, or /dev/dxg under WSL. */
  deviceNodes: string[];
  /** CUDA_VISIBLE_DEVICES as set, when set. */
  visibleDevices?: string;
}

/** Why the GPU build cannot see a GPU here, judged before loading it; undefined when a driver is there. */
export function explainDriver(p: DriverProbe): string | undefined {
  if (p.visibleDevices !== undefined && /^\s*(-1)?\s*$/.test(p.visibleDevices)) {
    return `CUDA_VISIBLE_DEVICES='${p.visibleDevices}' hides every GPU from CUDA`;
  }
  if (!p.libcuda) {
    if (p.kernelModule) {
      return `the NVIDIA kernel module ${p.kernelModule} is loaded but libcuda.so.1 (the driver's user-space library) is not on the loader's path (ldconfig -p, LD_LIBRARY_PATH): install the driver's libraries matching it; in a container, start it with the NVIDIA container toolkit (--gpus all)`;
    }
    return 'no NVIDIA driver: libcuda.so.1 is not on the loader\'s path (ldconfig -p, LD_LIBRARY_PATH) and no NVIDIA kernel module is loaded (/proc/driver/nvidia/version)';
  }
  if (!p.kernelModule && p.deviceNodes.length === 0) {
    return `libcuda.so.1 is here (${p.libcuda}) but no NVIDIA kernel module is loaded and there is no /dev/nvidia*: no GPU on this host, or its driver is not loaded`;
  }
  if (p.kernelModule && compareVersions(p.kernelModule, CUDA12_MIN_DRIVER) < 0) {
    return `NVIDIA driver ${p.kernelModule} is older than ${CUDA12_MIN_DRIVER}, the oldest that runs the GPU build's CUDA 12.2: upgrade the driver`;
  }
  if (p.deviceNodes.length === 0 && p.kernelModule) {
    return `libcuda.so.1 and driver ${p.kernelModule} are here but no /dev/nvidia* device node is (in a container: --gpus all, or --device /dev/nvidia0)`;
  }
  return undefined;
}

export interface CudaDevice {
  /** TensorFlow's name for it, e.g. /job:localhost/replica:0/task:0/device:GPU:0. */
  tfName: string;
  /** The card, e.g. NVIDIA H200. */
  name: string;
  computeCapability?: string;
  memoryMb?: number;
}

/**
 * GPU devices from TensorFlow's own log (INFO level, so TF_CPP_MIN_LOG_LEVEL=0): gpu_device.cc
 * prints `Created device /job:…/device:GPU:0 with 14626 MB memory:  -> device: 0, name: Tesla T4,
 * pci bus id: 0000:00:04.0, compute capability: 7.5`. The tfjs binding tells only whether it uses
 * a GPU, not which.
 */
export function parseTfDevices(log: string): CudaDevice[] {
  const out: CudaDevice[] = [];
  for (const m of log.matchAll(/Created device (\S+device:GPU:\d+) with (\d+) MB memory:.*?name: ([^,]+)(?:,.*?compute capability: (\d+\.\d+))?/g)) {
    out.push({ tfName: m[1], memoryMb: Number(m[2]), name: m[3].trim(), computeCapability: m[4] });
  }
  return out;
}

export function describeDevice(d: CudaDevice): string {
  const id = d.tfName.replace(/^.*device:/, '');
  return `${id} ${d.name}${d.computeCapability ? ` (compute capability ${d.computeCapability}` + (d.memoryMb ? `, ${d.memoryMb} MB` : '') + ')' : ''}`;
}

/** Said when the device is newer than the build's native kernels: the first use JIT-compiles PTX. */
export function jitNote(d: CudaDevice, cacheDir: string): string | undefined {
  const major = Number(d.computeCapability?.split('.')[0]);
  if (!Number.isFinite(major) || major <= NATIVE_SASS_MAX_MAJOR) return undefined;
  return `no native kernels for sm_${d.computeCapability!.replace('.', '')} in the GPU build (sm_50–sm_80 + PTX 8.0): the driver JIT-compiles PTX on first use (minutes; TensorFlow warns up to 30), cached in ${cacheDir}`;
}

/**
 * Why TensorFlow listed no GPU, from the driver probe and TensorFlow's log (TF_CPP_MIN_LOG_LEVEL=0).
 * The driver's reason comes first: without one, TensorFlow's own line only repeats it.
 */
export function explainNoCudaDevice(driver: DriverProbe, tfLog: string): string {
  const d = explainDriver(driver);
  if (d) return d;
  const missing = [...tfLog.matchAll(/Could not load dynamic library '([^']+)'/g)].map((m) => m[1]);
  if (missing.length || /Cannot dlopen some GPU libraries/.test(tfLog)) {
    return `TensorFlow could not load CUDA libraries${missing.length ? ` (${[...new Set(missing)].join(', ')})` : ''}: rerun \`rexsweep setup native --gpu\` (it checks the layout the libraries are found through)`;
  }
  const cuInit = /failed call to cuInit: (.*)/.exec(tfLog);
  if (cuInit) {
    const what = cuInit[1].trim();
    if (/NO_DEVICE|no CUDA-capable device/i.test(what)) return `the driver reports no CUDA device (cuInit: ${what})`;
    if (/INSUFFICIENT_DRIVER|insufficient/i.test(what)) return `the driver is too old for CUDA 12.2 (cuInit: ${what}); needs ≥ ${CUDA12_MIN_DRIVER}`;
    return `cuInit failed: ${what}`;
  }
  if (/Could not find cuda drivers/.test(tfLog)) return 'TensorFlow could not load libcuda.so.1 (no NVIDIA driver on its loader path)';
  // "Unable to register cuDNN factory" is printed by every TF 2.15 start, GPU or not: noise here.
  const last = tfLog
    .split('\n')
    .filter((l) => /\] .*(cuda|CUDA|GPU|gpu)/.test(l) && !/Unable to register \w+ factory/.test(l))
    .slice(-2)
    .map((l) => l.replace(/^.*?\] /, ''));
  return `TensorFlow listed no GPU device${last.length ? `; its log: ${last.join(' | ')}` : ' and logged nothing about CUDA'}`;
}

/** Probe the driver without loading it: the loader's search path for libcuda.so.1, /proc and /dev. */
export function probeDriver(env: NodeJS.ProcessEnv = process.env): DriverProbe {
  const module = readText('/proc/driver/nvidia/version');
  const kernelModule = module && /Kernel Module(?: for \S+)?\s+(\d+\.\d+(?:\.\d+)?)/.exec(module)?.[1];
  const deviceNodes = safeList('/dev')
    .filter((f) => /^nvidia\d+$/.test(f) || f === 'dxg')
    .map((f) => `/dev/${f}`);
  return { libcuda: findLibcuda(env), kernelModule: kernelModule || undefined, deviceNodes, visibleDevices: env.CUDA_VISIBLE_DEVICES };
}

/** As dlopen("libcuda.so.1") searches: LD_LIBRARY_PATH, the ld.so cache, the default folders. */
function findLibcuda(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)) {
    if (existsSync(join(dir, 'libcuda.so.1'))) return join(dir, 'libcuda.so.1');
  }
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    const r = spawnSync(ldconfig, ['-p'], { encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0) continue;
    const hit = /^\s*libcuda\.so\.1 \([^)]*x86-64[^)]*\) => (\S+)/m.exec(r.stdout) ?? /^\s*libcuda\.so\.1 .*=> (\S+)/m.exec(r.stdout);
    if (hit) return hit[1];
    break;
  }
  for (const dir of ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64', '/lib64', '/usr/lib', '/lib', '/usr/lib/wsl/lib']) {
    if (existsSync(join(dir, 'libcuda.so.1'))) return join(dir, 'libcuda.so.1');
  }
  return undefined;
}

/** `$REXSWEEP_CACHE/cuda`, else `$HOME/.cache/rexsweep/cuda` (infra/local/paths.ts's cache rule; recsys does not import infra). */
export function cudaCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(resolve(env.REXSWEEP_CACHE || join(homedir(), '.cache', 'rexsweep')), 'cuda');
}

/**
 * What a process that loads the GPU build sets before TensorFlow initialises CUDA (user values win):
 * - CUDA_CACHE_PATH: the build has no sm_90+ kernels, so on Hopper the driver JIT-compiles
 *   TensorFlow's PTX; a persistent cache under rexsweep's makes that once per machine, not once per
 *   compute child (each child is a fresh process).
 * - CUDA_CACHE_MAXSIZE: the driver's default (256 MiB) is smaller than TensorFlow's JIT output and
 *   would evict it; 4 GiB is the driver's maximum.
 * - CUDA_MODULE_LOADING=LAZY: load (and JIT) only the kernels a process uses (CUDA 12.2's default;
 *   explicit so that it holds whatever the driver's default).
 * - TF_FORCE_GPU_ALLOW_GROWTH=true: TensorFlow otherwise reserves nearly all GPU memory at start,
 *   and a worker runs several compute children on one GPU (and doctor probes beside a worker).
 */
export function cudaEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return {
    CUDA_CACHE_PATH: env.CUDA_CACHE_PATH || cudaCacheDir(env),
    CUDA_CACHE_MAXSIZE: env.CUDA_CACHE_MAXSIZE || String(4 * 1024 ** 3),
    CUDA_MODULE_LOADING: env.CUDA_MODULE_LOADING || 'LAZY',
    TF_FORCE_GPU_ALLOW_GROWTH: env.TF_FORCE_GPU_ALLOW_GROWTH || 'true',
  };
}

/** Set cudaEnv() in this process (Node's process.env writes the C environment, which libcuda reads at cuInit). */
export function applyCudaEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const vars = cudaEnv(env);
  Object.assign(env, vars);
  try {
    mkdirSync(vars.CUDA_CACHE_PATH, { recursive: true });
  } catch {
    // An unwritable cache only costs the JIT again; the driver then keeps it in memory.
  }
  return vars;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
