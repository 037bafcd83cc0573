/**
 * Whether this Linux host has a Vulkan loader (libvulkan.so.1) for Dawn to open. Without one,
 * dawn.node still loads but prints a warning with a C++ source path on every process's stderr
 * (issue 11: once per compute child), and then finds no adapter anyway. Looking first lets the
 * `webgpu` backend fail quietly with the package to install instead.
 *
 * Where the dynamic loader would look: LD_LIBRARY_PATH, then ld.so.cache (which names every
 * library ldconfig knows), then the usual multiarch folders.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const VULKAN_LOADER = 'libvulkan.so.1';

const USUAL_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib64'];

export interface LoaderProbe {
  platform: NodeJS.Platform;
  ldLibraryPath?: string;
  /** The bytes of /etc/ld.so.cache, when readable. */
  ldCache?: Buffer;
  exists(path: string): boolean;
}

/** The first place the loader was found, or undefined. Other platforms than Linux: not checked ('not-linux'). */
export function findVulkanLoader(p: LoaderProbe): string | undefined {
  if (p.platform !== 'linux') return 'not-linux';
  for (const dir of (p.ldLibraryPath ?? '').split(':').filter(Boolean)) {
    if (p.exists(join(dir, VULKAN_LOADER))) return join(dir, VULKAN_LOADER);
  }
  if (p.ldCache?.includes(VULKAN_LOADER)) return 'ld.so.cache';
  return USUAL_DIRS.map((d) => join(d, VULKAN_LOADER)).find((f) => p.exists(f));
}

/** This process's view. */
export function probeThisHost(): LoaderProbe {
  let ldCache: Buffer | undefined;
  try {
    ldCache = readFileSync('/etc/ld.so.cache');
  } catch {
    /* no cache: the folders decide */
  }
  return { platform: process.platform, ldLibraryPath: process.env.LD_LIBRARY_PATH, ldCache, exists: existsSync };
}
