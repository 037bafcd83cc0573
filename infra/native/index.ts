export { setupNative, type NativeSetupResult, type NativeOutcome } from './setup.ts';
export { NativeSetupError, type NativeStep } from './errors.ts';
export { nativePaths, type NativePaths } from './paths.ts';
export { buildState, describeBuildState, gpuView, type BuildState, type GpuView } from './state.ts';
export { BUILDS, CPU_BUILD, GPU_BUILD, TF_WHEEL, TFJS_NODE, TFJS_NODE_GPU, setupCommand, type NativeFlavour } from './versions.ts';
