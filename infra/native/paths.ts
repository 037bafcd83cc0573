/**
 * Where `rexsweep setup native` keeps things: a cache outside the repo, so that `npm ci`
 * (which wipes node_modules) costs a copy, not a download and a build.
 *
 *   <cache>/native/tensorflow-cpu-<v>/wheel/*.whl                 the PyPI wheel
 *   <cache>/native/tensorflow-cpu-<v>/lib/libtensorflow*.so*       its two shared libraries (+ link names)
 *   <cache>/native/tensorflow-cpu-<v>/include/tensorflow/...       its C API headers
 *   <cache>/native/tensorflow-cpu-<v>/addon/tfjs-node-<v>/napi-vN/tfjs_binding.node   the built addon
 *   <cache>/native/tensorflow-cpu-<v>/logs/*.log                   pip, npm and compiler output
 *   <repo>/node_modules/@tensorflow/tfjs-node/deps/{lib,include}   links into the cache (binding.gyp's paths;
 *                                                                    the addon's rpath is $ORIGIN/../../deps/lib)
 */
import { join } from 'node:path';
import { defaultCacheDir } from '../local/paths.ts';
import { TF_WHEEL, TFJS_NODE } from './versions.ts';

export interface NativePaths {
  root: string;
  wheelDir: string;
  libDir: string;
  includeDir: string;
  addonDir: string;
  logsDir: string;
  lockFile: string;
  /** node_modules/@tensorflow/tfjs-node of the repo. */
  packageDir: string;
}

export function nativePaths(repoRoot: string, env: NodeJS.ProcessEnv = process.env): NativePaths {
  const root = join(defaultCacheDir(env), 'native', `${TF_WHEEL.package}-${TF_WHEEL.version}`);
  return {
    root,
    wheelDir: join(root, 'wheel'),
    libDir: join(root, 'lib'),
    includeDir: join(root, 'include'),
    addonDir: join(root, 'addon', `tfjs-node-${TFJS_NODE.version}`),
    logsDir: join(root, 'logs'),
    lockFile: join(root, 'setup.lock'),
    packageDir: join(repoRoot, 'node_modules', ...TFJS_NODE.package.split('/')),
  };
}
