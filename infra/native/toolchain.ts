/**
 * Step "toolchain": what node-gyp needs to compile the addon: make, a C++ compiler, and Node's
 * headers. The headers must come from somewhere reachable (node-gyp would otherwise download
 * them from nodejs.org): the local Node install's include/node (Debian's nodejs package, the
 * official tarballs and nvm all ship it), or REXSWEEP_NODEDIR / npm_config_nodedir.
 */
import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runCommand } from '../local/run-command.ts';
import { NativeSetupError } from './errors.ts';
import type { NativeFlavour } from './versions.ts';

export interface Toolchain {
  /** --nodedir for node-gyp: a prefix with include/node/node_api.h. */
  nodedir: string;
  /** npm's bundled node-gyp, when found (node-pre-gyp finds one on its own otherwise). */
  nodeGyp?: string;
}

export async function checkToolchain(env: NodeJS.ProcessEnv = process.env, flavour: NativeFlavour = 'cpu'): Promise<Toolchain> {
  for (const tool of ['make', env.CXX || 'g++']) {
    const r = await runCommand('sh', ['-c', `command -v ${tool}`], { timeoutMs: 10_000 });
    if (r.code !== 0) {
      throw new NativeSetupError('toolchain', `${tool} not found`, 'install a C++ toolchain (Debian: apt-get install build-essential), then rerun', undefined, flavour);
    }
  }
  const prefix = dirname(dirname(process.execPath));
  const candidates = [env.REXSWEEP_NODEDIR, env.npm_config_nodedir, prefix].filter((c): c is string => Boolean(c));
  let nodedir: string | undefined;
  for (const dir of candidates) {
    if (await exists(join(dir, 'include', 'node', 'node_api.h'))) {
      nodedir = dir;
      break;
    }
  }
  if (!nodedir) {
    throw new NativeSetupError(
      'toolchain',
      `Node's headers not found (looked for include/node/node_api.h under ${candidates.join(', ')})`,
      'use a Node install that ships its headers (official tarball, nvm, Debian nodejs) or set REXSWEEP_NODEDIR to one',
      undefined,
      flavour,
    );
  }
  const bundled = join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  return { nodedir, nodeGyp: (await exists(bundled)) ? bundled : undefined };
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}
