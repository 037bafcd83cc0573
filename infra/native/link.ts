/**
 * Step "link": binding.gyp compiles against <package>/deps/include and links from
 * <package>/deps/lib; the built addon finds the libraries at run time through its rpath
 * $ORIGIN/../../deps/lib. Both point into the cache (links, not 580 MB of copies).
 * libtensorflow.so.2.9.1 is the file tfjs-node's own install script checks before downloading:
 * with it present, a later `npm rebuild` builds against these libraries instead of failing on
 * the download.
 */
import { mkdir, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { NativeSetupError } from './errors.ts';
import type { NativePaths } from './paths.ts';

const INSTALL_SCRIPT_MARKER = 'libtensorflow.so.2.9.1';

export async function linkDeps(paths: NativePaths): Promise<void> {
  const deps = join(paths.packageDir, 'deps');
  try {
    await rm(join(deps, 'lib'), { recursive: true, force: true });
    await rm(join(deps, 'include'), { recursive: true, force: true });
    await mkdir(join(deps, 'lib'), { recursive: true });
    for (const f of await readdir(paths.libDir)) await symlink(join(paths.libDir, f), join(deps, 'lib', f));
    await symlink(join(paths.libDir, 'libtensorflow_cc.so.2'), join(deps, 'lib', INSTALL_SCRIPT_MARKER));
    await symlink(paths.includeDir, join(deps, 'include'));
  } catch (err) {
    throw new NativeSetupError('link', `linking ${deps} to ${paths.root}: ${(err as Error).message}`, 'check permissions on node_modules and the cache, then rerun');
  }
}

/** Do the package's deps links point at this cache? */
export async function depsLinked(paths: NativePaths): Promise<boolean> {
  try {
    return (await readlink(join(paths.packageDir, 'deps', 'include'))) === paths.includeDir;
  } catch {
    return false;
  }
}
