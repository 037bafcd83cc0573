/**
 * The typed error of `rexsweep setup native`: which step failed, what happened, and what to do.
 * Every failure also means rexsweep keeps running on WASM, and the message says so.
 */
import { RexsweepError } from '../../recsys/errors.ts';

export type NativeStep = 'python' | 'download' | 'unpack' | 'package' | 'link' | 'toolchain' | 'build' | 'verify';

export class NativeSetupError extends RexsweepError {
  constructor(
    readonly step: NativeStep,
    readonly detail: string,
    readonly fix: string,
    readonly logFile?: string,
  ) {
    super(
      `setup native failed at step "${step}": ${detail}\n  what to do: ${fix}` +
        (logFile ? `\n  log: ${logFile}` : '') +
        '\n  until then rexsweep uses the WASM backend (REXSWEEP_BACKEND=auto skips native TensorFlow)',
    );
  }
}
