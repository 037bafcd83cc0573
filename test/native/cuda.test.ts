/**
 * What rexsweep says about CUDA, from given probe results (no GPU needed): why the GPU build sees
 * no device, which device it sees, the CUDA settings every process that loads it gets, and the
 * load-failure messages that name `rexsweep setup native --gpu`.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCacheDir } from '../../infra/local/paths.ts';
import { explainGpuView, type BuildState } from '../../infra/native/state.ts';
import { readGpuProbe } from '../../infra/native/verify.ts';
import { applyCudaEnv, compareVersions, cudaCacheDir, cudaEnv, describeDevice, explainDriver, explainNoCudaDevice, jitNote, parseTfDevices, type DriverProbe } from '../../recsys/backends/cuda.ts';
import { explainLoadFailure } from '../../recsys/backends/native.ts';

const OK: DriverProbe = { libcuda: '/usr/lib/x86_64-linux-gnu/libcuda.so.1', kernelModule: '550.54.14', deviceNodes: ['/dev/nvidia0'] };
const NONE: DriverProbe = { deviceNodes: [] };
const H200_LOG =
  '2026-12-02 10:00:00.000000: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1886] Created device /job:localhost/replica:0/task:0/device:GPU:0 ' +
  'with 137000 MB memory:  -> device: 0, name: NVIDIA H200, pci bus id: 0000:19:00.0, compute capability: 9.0\n';

describe('why no GPU: the driver, before loading TensorFlow', () => {
  it('no libcuda.so.1 and no kernel module: no NVIDIA driver', () => {
    expect(explainDriver(NONE)).toMatch(/^no NVIDIA driver: libcuda\.so\.1 is not on the loader's path .* no NVIDIA kernel module is loaded/);
  });
  it('a kernel module without libcuda.so.1: the user-space library is missing (containers: the toolkit)', () => {
    expect(explainDriver({ kernelModule: '535.104.05', deviceNodes: ['/dev/nvidia0'] })).toMatch(/kernel module 535\.104\.05 is loaded but libcuda\.so\.1 .*NVIDIA container toolkit/);
  });
  it('libcuda.so.1 without a kernel module or device: no GPU on this host', () => {
    expect(explainDriver({ libcuda: '/usr/lib/libcuda.so.1', deviceNodes: [] })).toMatch(/libcuda\.so\.1 is here .* no NVIDIA kernel module .* no GPU on this host/);
  });
  it('a driver older than CUDA 12 allows', () => {
    expect(explainDriver({ ...OK, kernelModule: '470.223.02' })).toMatch(/driver 470\.223\.02 is older than 525\.60\.13/);
  });
  it('CUDA_VISIBLE_DEVICES empty or -1 hides every GPU', () => {
    expect(explainDriver({ ...OK, visibleDevices: '' })).toMatch(/CUDA_VISIBLE_DEVICES='' hides every GPU/);
    expect(explainDriver({ ...OK, visibleDevices: '-1' })).toMatch(/CUDA_VISIBLE_DEVICES='-1'/);
    expect(explainDriver({ ...OK, visibleDevices: '0' })).toBeUndefined();
  });
  it('a usable driver: no reason', () => {
    expect(explainDriver(OK)).toBeUndefined();
    expect(explainDriver({ libcuda: '/usr/lib/wsl/lib/libcuda.so.1', deviceNodes: ['/dev/dxg'] })).toBeUndefined();
  });
  it('versions compare numerically', () => {
    expect(compareVersions('525.60.13', '525.60.13')).toBe(0);
    expect(compareVersions('525.105.17', '525.60.13')).toBe(1);
    expect(compareVersions('525.60', '525.60.13')).toBe(-1);
  });
});

describe("why no GPU: TensorFlow's log", () => {
  it('the driver reason wins over what TensorFlow repeats', () => {
    expect(explainNoCudaDevice(NONE, 'I cudart_stub.cc:28] Could not find cuda drivers on your machine, GPU will not be used.')).toMatch(/^no NVIDIA driver/);
  });
  it('CUDA libraries that did not load are named', () => {
    const log = "W dso_loader.cc:78] Could not load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file\nW gpu_device.cc:2256] Cannot dlopen some GPU libraries.";
    expect(explainNoCudaDevice(OK, log)).toMatch(/^TensorFlow could not load CUDA libraries \(libcudnn\.so\.8\): rerun `rexsweep setup native --gpu`/);
  });
  it('cuInit failures say what the driver said', () => {
    expect(explainNoCudaDevice(OK, 'E cuda_driver.cc:274] failed call to cuInit: CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected')).toMatch(/^the driver reports no CUDA device/);
    expect(explainNoCudaDevice(OK, 'E cuda_driver.cc:274] failed call to cuInit: CUDA_ERROR_INSUFFICIENT_DRIVER')).toMatch(/too old for CUDA 12\.2/);
    expect(explainNoCudaDevice(OK, 'E cuda_driver.cc:274] failed call to cuInit: UNKNOWN ERROR (303)')).toBe('cuInit failed: UNKNOWN ERROR (303)');
  });
  it('otherwise it quotes TensorFlow', () => {
    expect(explainNoCudaDevice(OK, '')).toBe('TensorFlow listed no GPU device and logged nothing about CUDA');
    const noise = 'E external/local_xla/xla/stream_executor/cuda/cuda_dnn.cc:9261] Unable to register cuDNN factory: Attempting to register factory for plugin cuDNN when one has already been registered';
    expect(explainNoCudaDevice(OK, noise)).toBe('TensorFlow listed no GPU device and logged nothing about CUDA');
    expect(explainNoCudaDevice(OK, `${noise}\nW gpu_device.cc:1] GPU 0 is busy`)).toBe('TensorFlow listed no GPU device; its log: GPU 0 is busy');
  });
});

describe('which GPU TensorFlow sees', () => {
  it("reads TensorFlow's device line; Hopper gets the JIT note, Ampere does not", () => {
    const [d] = parseTfDevices(H200_LOG);
    expect(d).toEqual({ tfName: '/job:localhost/replica:0/task:0/device:GPU:0', memoryMb: 137000, name: 'NVIDIA H200', computeCapability: '9.0' });
    expect(describeDevice(d)).toBe('GPU:0 NVIDIA H200 (compute capability 9.0, 137000 MB)');
    expect(jitNote(d, '/c/cuda')).toMatch(/no native kernels for sm_90 .*cached in \/c\/cuda/);
    expect(jitNote({ ...d, computeCapability: '8.6' }, '/c/cuda')).toBeUndefined();
  });
  it('the verify probe: a GPU run lists devices; a CPU run says why not', () => {
    const mark = (gpu: boolean) => `REXSWEEP-VERIFY {"tfVersion":"2.15.1","matMul":[19,22,43,50],"gpu":${gpu}}\n`;
    expect(readGpuProbe(H200_LOG + mark(true), OK, '/c/cuda').devices).toEqual(['GPU:0 NVIDIA H200 (compute capability 9.0, 137000 MB)']);
    expect(readGpuProbe(mark(false), NONE, '/c/cuda')).toMatchObject({ devices: [], noGpuReason: expect.stringMatching(/^no NVIDIA driver/) });
  });
});

describe("doctor's GPU line", () => {
  const state = (installed: boolean): BuildState => ({ flavour: 'gpu', cache: '/c', wheel: 'tensorflow 2.15.1', unpacked: installed, cached: installed, installed });
  it('names both missing pieces, with the command', () => {
    expect(explainGpuView(state(false), NONE).why).toMatch(/^no NVIDIA driver: .*; and the GPU build is not there: run `rexsweep setup native --gpu`$/);
    expect(explainGpuView(state(false), OK).why).toBe('the GPU build is not there: run `rexsweep setup native --gpu`');
  });
  it("reports TensorFlow's device, or its reason, or the load failure", () => {
    const v = { tfVersion: '2.15.1', matMul: [19, 22, 43, 50] };
    expect(explainGpuView(state(true), OK, { ...v, gpu: true, devices: ['GPU:0 NVIDIA H200'] })).toEqual({ devices: ['GPU:0 NVIDIA H200'], note: undefined });
    expect(explainGpuView(state(true), OK, { ...v, gpu: false, noGpuReason: 'cuInit failed: X' }).why).toBe('cuInit failed: X');
    expect(explainGpuView(state(true), OK, new Error('setup native --gpu failed at step "verify": boom')).why).toMatch(/^the GPU build does not load: /);
  });
});

describe('CUDA settings of every process that loads the GPU build', () => {
  it('a persistent JIT cache under the rexsweep cache, 4 GiB, lazy loading, memory on demand; user values win', () => {
    const env = { REXSWEEP_CACHE: '/c' };
    expect(cudaEnv(env)).toEqual({ CUDA_CACHE_PATH: '/c/cuda', CUDA_CACHE_MAXSIZE: '4294967296', CUDA_MODULE_LOADING: 'LAZY', TF_FORCE_GPU_ALLOW_GROWTH: 'true' });
    expect(cudaEnv({ ...env, CUDA_CACHE_PATH: '/mine', CUDA_CACHE_MAXSIZE: '1' })).toMatchObject({ CUDA_CACHE_PATH: '/mine', CUDA_CACHE_MAXSIZE: '1' });
  });
  it("the cache folder follows infra/local's cache rule", () => {
    for (const env of [{ REXSWEEP_CACHE: '/x/y' }, { REXSWEEP_CACHE: 'rel' }, {}]) expect(cudaCacheDir(env)).toBe(join(defaultCacheDir(env), 'cuda'));
  });
  it('applyCudaEnv writes them into the environment it is given', () => {
    const env: NodeJS.ProcessEnv = { REXSWEEP_CACHE: '/nonexistent-rexsweep-test' };
    applyCudaEnv(env);
    expect(env.CUDA_CACHE_PATH).toBe('/nonexistent-rexsweep-test/cuda');
    expect(env.CUDA_CACHE_MAXSIZE).toBe('4294967296');
  });
});

describe('load failures name the command that fixes them', () => {
  it('tfjs-node-gpu without its addon, or not installed', () => {
    const noAddon = new Error('The Node.js native addon module (tfjs_binding.node) can not be found at path: /x');
    expect(explainLoadFailure('tensorflow-gpu', noAddon)).toBe('@tensorflow/tfjs-node-gpu is installed but its addon is not built: run `rexsweep setup native --gpu`');
    const notFound = Object.assign(new Error("Cannot find package '@tensorflow/tfjs-node-gpu'"), { code: 'ERR_MODULE_NOT_FOUND' });
    expect(explainLoadFailure('tensorflow-gpu', notFound)).toMatch(/^@tensorflow\/tfjs-node-gpu is not installed \(npm drops it.*\): run `rexsweep setup native --gpu`$/);
  });
});
