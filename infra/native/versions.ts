/**
 * What `rexsweep setup native` builds, pinned.
 *
 * tfjs-node 4.22.0 was written against libtensorflow 2.9.1's C API (scripts/deps-constants.js).
 * TensorFlow's PyPI wheels ship that C API as tensorflow/libtensorflow_cc.so.2 only from 2.12 on
 * (before, it lived inside the Python extension, which needs libpython). 2.12.1 is therefore the
 * closest release to 2.9.1 that the registries carry in a usable form: the fewest C API and op
 * changes between what the addon expects and what it gets, headers still in the pre-TSL layout
 * the addon includes (tensorflow/core/platform/ctstring_internal.h), the smallest wheel of the
 * line (232 MB; libtensorflow_cc 532 MB unpacked), glibc ≥ 2.17. The addon is compiled from
 * source against the wheel's own headers, so there is no binary ABI to match — only API, which
 * the verify step checks (load, setBackend('tensorflow'), a matMul with a known answer).
 * The wheel's Python tag does not matter (only the two shared libraries and headers are used), so
 * it is pinned too, for a reproducible download whatever Python runs pip.
 */
export const TF_WHEEL = {
  package: 'tensorflow-cpu',
  version: '2.12.1',
  pythonVersion: '3.11',
  platform: 'manylinux2014_x86_64',
  /** sha256 of tensorflow_cpu-2.12.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl (pip checks it: --require-hashes). */
  sha256: '7ffb595707a8fb376deaddc768784c7a0242b16cbc6e06393b1733b2ce19f855',
} as const;

export const TFJS_NODE = { package: '@tensorflow/tfjs-node', version: '4.22.0' } as const;

/** Files of the wheel the addon needs. */
export const WHEEL_LIBS = ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'] as const;
/** Header trees the addon includes (c_api.h, eager/c_api.h, the tstring headers and what they include). */
export const WHEEL_HEADER_PREFIX = 'tensorflow/include/tensorflow/';
