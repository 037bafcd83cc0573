/** Step "python": a Python with pip, which is how rexsweep reaches PyPI. */
import { runCommand } from '../local/run-command.ts';
import { NativeSetupError } from './errors.ts';
import { setupCommand, type NativeFlavour } from './versions.ts';

export async function findPython(env: NodeJS.ProcessEnv = process.env, flavour: NativeFlavour = 'cpu'): Promise<string> {
  const candidates = [env.REXSWEEP_PYTHON, 'python3', 'python'].filter((c): c is string => Boolean(c));
  for (const python of candidates) {
    const r = await runCommand(python, ['-m', 'pip', '--version'], { timeoutMs: 30_000, capture: true });
    if (r.code === 0) return python;
  }
  throw new NativeSetupError(
    'python',
    `no Python with pip found (tried ${candidates.join(', ')})`,
    `install Python ≥ 3.8 with pip (or point REXSWEEP_PYTHON at one), then rerun \`${setupCommand(flavour)}\``,
    undefined,
    flavour,
  );
}
