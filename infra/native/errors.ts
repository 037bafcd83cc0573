/**
 * The typed error of `rexsweep setup native [--gpu]`: which step failed, what happened, and what
 * to do. A failure never breaks rexsweep: it says what workers use until it is fixed.
 */
import { RexsweepError } from '../../recsys/errors.ts';
import type { NativeFlavour } from './versions.ts';

export type NativeStep = 'python' | 'download' | 'unpack' | 'layout' | 'package' | 'link' | 'toolchain' | 'build' | 'verify';

const MEANWHILE: Record<NativeFlavour, string> = {
  cpu: 'until then rexsweep uses the WASM backend (REXSWEEP_BACKEND=auto skips native TensorFlow)',
  gpu: 'until then rexsweep does not use the GPU build (auto takes the CPU build of `rexsweep setup native`, else WASM)',
};

export class NativeSetupError extends RexsweepError {
  constructor(
    readonly step: NativeStep,
    readonly detail: string,
    readonly fix: string,
    readonly logFile?: string,
    readonly flavour: NativeFlavour = 'cpu',
  ) {
    super(
      `setup native${flavour === 'gpu' ? ' --gpu' : ''} failed at step "${step}": ${detail}\n  what to do: ${fix}` +
        (logFile ? `\n  log: ${logFile}` : '') +
        `\n  ${MEANWHILE[flavour]}`,
    );
  }
}
