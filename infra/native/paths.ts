/**
 * Where `rexsweep setup native [--gpu]` keeps things: a cache outside the repo, so that `npm ci`
 * (which wipes node_modules) costs a copy, not a download and a build. One folder per build:
 *
 *   <cache>/native/<tf package>-<v>/wheel/*.whl                 the PyPI wheels
 *   <cache>/native/<tf package>-<v>/<libDir>/libtensorflow*.so*  its two shared libraries (+ link names)
 *   <cache>/native/<tf package>-<v>/include/{tensorflow,tsl}/… its C API headers
 *   <cache>/native/<tf package>-<v>/addon/<tfjs pkg>-<v>-patch<N>/napi-vN/tfjs_binding.node   the built addon
 *                                                          (N: patch.ts's BINDING_PATCH, so a new patch rebuilds)
 *   <cache>/native/<tf package>-<v>/logs/*.log                  pip, npm and compiler output
 *   <repo>/node_modules/@tensorflow/<tfjs pkg>/deps/lib     → <libDir>       (directory links: binding.gyp's
 *   <repo>/node_modules/@tensorflow/<tfjs pkg>/deps/include → <root>/include  paths; the addon's rpath is
 *                                                                              $ORIGIN/../../deps/lib)
 * CPU build (tensorflow-cpu-2.12.1): libDir = <root>/lib.
 * GPU build (tensorflow-2.15.1): a site-packages layout, because libtensorflow_cc.so.2 finds CUDA
 * through its RUNPATH $ORIGIN/../nvidia/<lib>/lib (layout.ts):
 *   <root>/site/tensorflow/libtensorflow_cc.so.2, libtensorflow_framework.so.2   libDir
 *   <root>/site/nvidia/{cublas,cudnn,…}/lib/*.so*                                 the NVIDIA wheels
 */
import { join } from 'node:path';
import { defaultCacheDir } from '../local/paths.ts';
import { BINDING_PATCH } from './patch.ts';
import { BUILDS, type NativeBuildSpec, type NativeFlavour } from './versions.ts';

export interface NativePaths {
  spec: NativeBuildSpec;
  root: string;
  wheelDir: string;
  /** Where libtensorflow_cc.so.2 and libtensorflow_framework.so.2 live (what deps/lib links to). */
  libDir: string;
  /** GPU: the folder holding tensorflow/ and nvidia/ as in site-packages. */
  siteDir?: string;
  includeDir: string;
  addonDir: string;
  logsDir: string;
  lockFile: string;
  /** node_modules/@tensorflow/tfjs-node(-gpu) of the repo. */
  packageDir: string;
}

export function nativePaths(repoRoot: string, env: NodeJS.ProcessEnv = process.env, flavour: NativeFlavour = 'cpu'): NativePaths {
  const spec = BUILDS[flavour];
  const root = join(defaultCacheDir(env), 'native', `${spec.tf.package}-${spec.tf.version}`);
  const siteDir = flavour === 'gpu' ? join(root, 'site') : undefined;
  const pkgName = spec.tfjs.package.split('/').pop()!;
  return {
    spec,
    root,
    wheelDir: join(root, 'wheel'),
    libDir: siteDir ? join(siteDir, 'tensorflow') : join(root, 'lib'),
    siteDir,
    includeDir: join(root, 'include'),
    addonDir: join(root, 'addon', `${pkgName}-${spec.tfjs.version}-patch${BINDING_PATCH}`),
    logsDir: join(root, 'logs'),
    lockFile: join(root, 'setup.lock'),
    packageDir: join(repoRoot, 'node_modules', ...spec.tfjs.package.split('/')),
  };
}
