/**
 * Step "layout" (GPU build): will TensorFlow find CUDA without LD_LIBRARY_PATH?
 *
 * The wheel's libtensorflow_cc.so.2 and libtensorflow_framework.so.2 dlopen libcudart, cuBLAS,
 * cuDNN, … by soname, and dlopen searches the calling library's RUNPATH:
 * `$ORIGIN/../nvidia/cudnn/lib:…` — pip's site-packages layout. So the NVIDIA wheels are unpacked
 * beside tensorflow/ (paths.ts), and the addon reaches the libraries through deps/lib, which must be
 * a *directory* link: the loader takes $ORIGIN from the path it opened without resolving links,
 * then the kernel resolves `deps/lib/../nvidia` physically — through a linked directory that is
 * <site>/nvidia, while through per-file links ($ORIGIN = deps/lib, a real folder) it is
 * deps/nvidia, which does not exist (test/native/layout.test.ts shows both with two toy libraries).
 *
 * No GPU is needed to check this: expand the RUNPATH with the $ORIGIN the loader will use, look
 * for each soname as the loader does (first folder that has it), then let the real loader (ldd)
 * resolve what those libraries need in turn (cuSOLVER → cuBLAS, nvJitLink; cuDNN → libz).
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../local/run-command.ts';
import { readElfDynamic } from './elf.ts';
import { NativeSetupError } from './errors.ts';
import type { NativePaths } from './paths.ts';
import { CUDA_DSOS, setupCommand } from './versions.ts';

/** The RUNPATH's folders with $ORIGIN replaced. Joined as strings: path.join would fold `..` lexically, the kernel does not. */
export function expandRunpath(runpath: string, origin: string): string[] {
  return runpath
    .split(':')
    .filter((d) => d !== '')
    .map((d) => d.replace(/\$\{ORIGIN\}|\$ORIGIN/g, origin));
}

/** The first folder holding `soname`, as the loader searches; `exists` gets the unnormalised path. */
export function findInRunpath(dirs: string[], soname: string, exists: (p: string) => boolean = existsSync): string | undefined {
  const dir = dirs.find((d) => exists(`${d}/${soname}`));
  return dir === undefined ? undefined : `${dir}/${soname}`;
}

/** `ldd` lines of the form `libz.so.1 => not found`. */
export function parseLddMissing(out: string): string[] {
  return [...out.matchAll(/^\s*(\S+)\s+=>\s+not found/gm)].map((m) => m[1]);
}

export interface LayoutReport {
  /** soname → the path the loader will open (through deps/lib). */
  resolved: Record<string, string>;
  /** Libraries ldd checked, and whether ldd was there to check them. */
  lddChecked: number;
}

/** The $ORIGIN the loader uses for libtensorflow_*: the addon opens them as <package>/deps/lib/<name>. */
export function loaderOrigin(paths: NativePaths): string {
  return `${paths.packageDir}/deps/lib`;
}

export async function checkCudaLayout(paths: NativePaths): Promise<LayoutReport> {
  const fail = (detail: string) =>
    new NativeSetupError('layout', detail, `delete ${join(paths.root, '.unpacked')} (the downloaded wheels stay) and rerun \`${setupCommand('gpu')}\``, undefined, 'gpu');
  const origin = loaderOrigin(paths);
  const resolved: Record<string, string> = {};
  // Both libraries dlopen CUDA (libtensorflow_framework: the DSO loader; libtensorflow_cc: the
  // stream executor); a soname counts as found if the RUNPATH of either finds it, as the loader does for its caller.
  const dirs: string[] = [];
  for (const lib of ['libtensorflow_framework.so.2', 'libtensorflow_cc.so.2']) {
    const dyn = await readElfDynamic(join(paths.libDir, lib));
    if (!dyn.runpath) throw fail(`${lib} has no RUNPATH: this is not the wheel versions.ts pins`);
    dirs.push(...expandRunpath(dyn.runpath, origin));
  }
  for (const { soname, dir } of CUDA_DSOS) {
    const found = findInRunpath(dirs, soname);
    if (!found) throw fail(`${soname} is not found through TensorFlow's RUNPATH from ${origin} (expected in ${paths.siteDir}/nvidia/${dir}/lib)`);
    resolved[soname] = found;
  }
  // What the NVIDIA libraries need in turn: the real loader resolves it (their RUNPATHs are $ORIGIN/../../<lib>/lib).
  let lddChecked = 0;
  const missing: string[] = [];
  const nvidia = join(paths.siteDir!, 'nvidia');
  for (const pkg of await readdir(nvidia)) {
    const libs = (await readdir(join(nvidia, pkg, 'lib')).catch(() => [] as string[])).filter((f) => /\.so(\.|$)/.test(f));
    for (const f of libs) {
      const r = await runCommand('ldd', [join(nvidia, pkg, 'lib', f)], { timeoutMs: 30_000, capture: true });
      if (r.code === null && r.signal === null) return { resolved, lddChecked: 0 }; // ldd could not run (not installed): the RUNPATH check above stands alone
      lddChecked++;
      for (const m of parseLddMissing(r.stdout)) if (m !== 'libcuda.so.1') missing.push(`${pkg}/lib/${f} needs ${m}`);
    }
  }
  if (missing.length) throw fail(`the loader cannot resolve: ${missing.join('; ')}`);
  return { resolved, lddChecked };
}
