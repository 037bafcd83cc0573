export { setupNative, type NativeSetupResult, type NativeOutcome } from './setup.ts';
export { NativeSetupError, type NativeStep } from './errors.ts';
export { nativePaths, type NativePaths } from './paths.ts';
export { TF_WHEEL, TFJS_NODE } from './versions.ts';
