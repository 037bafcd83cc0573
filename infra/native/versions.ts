/**
 * What `rexsweep setup native [--gpu]` builds, pinned: one table per build, read by every step.
 *
 * CPU build. tfjs-node 4.22.0 was written against libtensorflow 2.9.1's C API
 * (scripts/deps-constants.js). TensorFlow's PyPI wheels ship that C API as
 * tensorflow/libtensorflow_cc.so.2 only from 2.12 on (before, it lived inside the Python
 * extension, which needs libpython). 2.12.1 is therefore the closest release to 2.9.1 that the
 * registries carry in a usable form: the fewest C API and op changes between what the addon
 * expects and what it gets, headers still in the pre-TSL layout the addon includes
 * (tensorflow/core/platform/ctstring_internal.h), the smallest wheel of the line (232 MB;
 * libtensorflow_cc 532 MB unpacked), glibc ≥ 2.17. The addon is compiled from source against the
 * wheel's own headers, so there is no binary ABI to match — only API, which the verify step
 * checks (load, setBackend('tensorflow'), a matMul with a known answer).
 *
 * GPU build. The `tensorflow` (not -cpu) 2.15.1 wheel: its libtensorflow_cc.so.2 has the CUDA
 * kernels and the whole C and eager C API; it dlopens CUDA and cuDNN from the RUNPATH
 * $ORIGIN/../nvidia/<lib>/lib, i.e. from the NVIDIA wheels that `tensorflow[and-cuda]==2.15.1`
 * pins (its METADATA: `Requires-Dist: nvidia-…-cu12 (==…) ; extra == 'and-cuda'`), laid out
 * beside it as in site-packages (layout.ts). 2.15.1 is the release whose and-cuda set was
 * measured (deps.md §6.5): CUDA 12.2, cuDNN 8.9, driver ≥ 525.60.13; its fatbin has sm_50–sm_80
 * and PTX compute_80, so Hopper JIT-compiles PTX once (recsys/backends/cuda.ts keeps that cache).
 * Its headers include tsl/…, hence the second header prefix.
 *
 * The wheels' Python tag does not matter (only shared libraries and headers are used), so it is
 * pinned too, for a reproducible download whatever Python runs pip. Every sha256 is the one
 * PyPI served (pip download, then sha256sum) and pip checks it (--require-hashes).
 */
export type NativeFlavour = 'cpu' | 'gpu';

export interface PinnedWheel {
  package: string;
  version: string;
  /** sha256 of the wheel file; pip refuses any other (--require-hashes). */
  sha256: string;
  /** Download size in MB, for the log line and the report. */
  mb: number;
}

export interface NativeBuildSpec {
  flavour: NativeFlavour;
  /** The TensorFlow wheel whose libtensorflow_cc.so.2 the addon links. */
  tf: PinnedWheel;
  /** Wheels laid out beside it (GPU: CUDA, cuDNN, …); none for the CPU build. */
  beside: readonly PinnedWheel[];
  /** pip --python-version / --platform for the download. */
  pythonVersion: string;
  platform: string;
  /** The npm package whose addon is built. */
  tfjs: { package: string; version: string };
  /** Prefixes in the wheel of the header trees the addon includes; unpacked under include/. */
  headerPrefixes: readonly string[];
}

/** Files of the TensorFlow wheel the addon needs (both builds). */
export const WHEEL_LIBS = ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'] as const;

export const CPU_BUILD: NativeBuildSpec = {
  flavour: 'cpu',
  tf: {
    package: 'tensorflow-cpu',
    version: '2.12.1',
    // tensorflow_cpu-2.12.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
    sha256: '7ffb595707a8fb376deaddc768784c7a0242b16cbc6e06393b1733b2ce19f855',
    mb: 232,
  },
  beside: [],
  pythonVersion: '3.11',
  platform: 'manylinux2014_x86_64',
  tfjs: { package: '@tensorflow/tfjs-node', version: '4.22.0' },
  headerPrefixes: ['tensorflow/include/tensorflow/'],
};

/** sha256 values measured 2026-12-02 from PyPI with `pip download --no-deps`, then sha256sum. */
export const GPU_BUILD: NativeBuildSpec = {
  flavour: 'gpu',
  tf: {
    package: 'tensorflow',
    version: '2.15.1',
    // tensorflow-2.15.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
    sha256: 'bb0edd69103c154245c5f209f0507355cc68ba7e4de350084bc31edc562478e4',
    mb: 475,
  },
  // Exactly tensorflow 2.15.1's `and-cuda` extra (all py3-none-manylinux1_x86_64 wheels).
  beside: [
    { package: 'nvidia-cublas-cu12', version: '12.2.5.6', sha256: 'f448d8db463f9a2c7dd9a1e607c0961d3e95f825b86839c5882f7d073d406df0', mb: 418 },
    { package: 'nvidia-cuda-cupti-cu12', version: '12.2.142', sha256: 'ce68d1009dd14215e38ed49643d31374c71d6fea381181cb0b9da7f19dfd1624', mb: 14 },
    { package: 'nvidia-cuda-nvcc-cu12', version: '12.2.140', sha256: 'c6ff4ae7a636eb6cab7621191e19ac3779690686bbcf52c04d8b1ca2944e1e27', mb: 21 },
    { package: 'nvidia-cuda-nvrtc-cu12', version: '12.2.140', sha256: 'b1cdcae6443cb7cdcfb5d1bf51896a148c9f82f9e65b27db9ab095eaed689aa7', mb: 23 },
    { package: 'nvidia-cuda-runtime-cu12', version: '12.2.140', sha256: 'acb9cb7e44594a3512533497ea790d9f0b0e399abcc888584c157d1ffa080e41', mb: 1 },
    { package: 'nvidia-cudnn-cu12', version: '8.9.4.25', sha256: '9f882d5b11753c566fd32427839089eb4f8ba7a58c28446ad359e32c40229723', mb: 720 },
    { package: 'nvidia-cufft-cu12', version: '11.0.8.103', sha256: '72e961e578f9be9e316ccb4db8652c421dd0b57442624faa71061d452f449a67', mb: 99 },
    { package: 'nvidia-curand-cu12', version: '10.3.3.141', sha256: '7b6bad6817b5df2a6f5ec221206fb895d9195fdd7d2443f3e86554108c141a0a', mb: 56 },
    { package: 'nvidia-cusolver-cu12', version: '11.5.2.141', sha256: '5a85c4653ce34339a5688137f494a0f903e0f0532418550998167f00844161da', mb: 125 },
    { package: 'nvidia-cusparse-cu12', version: '12.1.2.141', sha256: '4e13d6a51d2303dcb2a023ba09546811161f0334fc64e13689397bbd3b1eb126', mb: 195 },
    { package: 'nvidia-nccl-cu12', version: '2.16.5', sha256: '84695a4248138fb2ca12f5fd3defe986e790e71ccdaad51b2ca34ca4e83ef421', mb: 189 },
    { package: 'nvidia-nvjitlink-cu12', version: '12.2.140', sha256: '95635cafbf9f96c38bea5200ab145a2e6aefbb5405e0b04c1e4ba54df2d84ec9', mb: 20 },
  ],
  pythonVersion: '3.11',
  platform: 'manylinux2014_x86_64',
  tfjs: { package: '@tensorflow/tfjs-node-gpu', version: '4.22.0' },
  headerPrefixes: ['tensorflow/include/tensorflow/', 'tensorflow/include/tsl/'],
};

/**
 * What TensorFlow 2.15 dlopens by soname (tsl's DsoLoader), each from the NVIDIA wheel folder its
 * RUNPATH names: runtime, cuBLAS(Lt), cuFFT, cuSOLVER, cuSPARSE and cuDNN when it initialises a
 * GPU (if one fails it logs "Cannot dlopen some GPU libraries" and uses the CPU), cuPTI for the
 * profiler. libcuda.so.1 is the driver's, never a wheel's (recsys/backends/cuda.ts checks it).
 */
export const CUDA_DSOS: readonly { soname: string; dir: string }[] = [
  { soname: 'libcudart.so.12', dir: 'cuda_runtime' },
  { soname: 'libcublas.so.12', dir: 'cublas' },
  { soname: 'libcublasLt.so.12', dir: 'cublas' },
  { soname: 'libcufft.so.11', dir: 'cufft' },
  { soname: 'libcusolver.so.11', dir: 'cusolver' },
  { soname: 'libcusparse.so.12', dir: 'cusparse' },
  { soname: 'libcudnn.so.8', dir: 'cudnn' },
  { soname: 'libcupti.so.12', dir: 'cuda_cupti' },
];

export const BUILDS: Record<NativeFlavour, NativeBuildSpec> = { cpu: CPU_BUILD, gpu: GPU_BUILD };

/** Back-compatible names for the CPU build. */
export const TF_WHEEL = { ...CPU_BUILD.tf, pythonVersion: CPU_BUILD.pythonVersion, platform: CPU_BUILD.platform } as const;
export const TFJS_NODE = CPU_BUILD.tfjs;
export const TFJS_NODE_GPU = GPU_BUILD.tfjs;

/** The command that builds a flavour, for messages. */
export function setupCommand(flavour: NativeFlavour): string {
  return flavour === 'gpu' ? 'rexsweep setup native --gpu' : 'rexsweep setup native';
}
