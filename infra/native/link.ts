/**
 * Step "link": binding.gyp compiles against <package>/deps/include and links from
 * <package>/deps/lib; the built addon finds the libraries at run time through its rpath
 * $ORIGIN/../../deps/lib. Both are links to folders of the cache (not 580 MB–1 GB of copies).
 * deps/lib is a link to the folder itself, never a folder of per-file links: the GPU build's
 * libtensorflow_cc.so.2 finds CUDA through $ORIGIN/../nvidia, which only a linked directory
 * resolves to the cache (layout.ts). The link names and libtensorflow.so.2.9.1 (the file
 * tfjs-node's own install script checks before downloading) are inside that folder (unpack.ts).
 */
import { lstat, mkdir, readlink, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { NativeSetupError } from './errors.ts';
import type { NativePaths } from './paths.ts';
import { ensureLinkNames } from './unpack.ts';

export async function linkDeps(paths: NativePaths): Promise<void> {
  const deps = join(paths.packageDir, 'deps');
  try {
    await ensureLinkNames(paths.libDir);
    await mkdir(deps, { recursive: true });
    for (const [name, target] of [['lib', paths.libDir], ['include', paths.includeDir]] as const) {
      // rm of a link removes the link, not the cache it points to; of a folder (an older layout, or
      // tfjs-node's own download), the folder.
      await rm(join(deps, name), { recursive: true, force: true });
      await symlink(target, join(deps, name), 'dir');
    }
  } catch (err) {
    throw new NativeSetupError('link', `linking ${deps} to ${paths.root}: ${(err as Error).message}`, 'check permissions on node_modules and the cache, then rerun', undefined, paths.spec.flavour);
  }
}

/** Do the package's deps links point at this cache? */
export async function depsLinked(paths: NativePaths): Promise<boolean> {
  const points = async (name: string, target: string) => {
    try {
      return (await lstat(join(paths.packageDir, 'deps', name))).isSymbolicLink() && (await readlink(join(paths.packageDir, 'deps', name))) === target;
    } catch {
      return false;
    }
  };
  return (await points('lib', paths.libDir)) && (await points('include', paths.includeDir));
}
