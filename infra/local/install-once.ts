/**
 * Install a tool into its own cache folder at most once. The folder is trusted only if it holds
 * a marker written *after* the install was verified; anything else (an interrupted install, a
 * folder of an older layout) is wiped and redone. A lock file makes concurrent installers wait
 * for the first one and then reuse its result.
 */
import { lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withLock } from './lock.ts';

export const MARKER_FILE = '.installed.json';

export interface InstallMarker {
  tool: string;
  version: string;
  /** Output of the verification command, e.g. "temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)". */
  verified: string;
  installedAt: string;
  installSeconds: number;
  bytes: number;
}

export interface InstallOnceOptions {
  tool: string;
  version: string;
  /** The folder the install fills; wiped before an install starts. */
  dir: string;
  lockFile: string;
  /** Files that must exist besides the marker (e.g. the binary). */
  requiredFiles: string[];
  log: (line: string) => void;
  lockTimeoutMs: number;
  /** Fills `dir` and returns the verification output; throws on any failure. */
  install: () => Promise<string>;
}

export interface InstallOutcome {
  marker: InstallMarker;
  reused: boolean;
}

export async function installOnce(options: InstallOnceOptions): Promise<InstallOutcome> {
  const cached = await readMarker(options);
  if (cached) return { marker: cached, reused: true };
  return withLock(
    options.lockFile,
    {
      timeoutMs: options.lockTimeoutMs,
      onWait: (holder) => options.log(`another install is running (${holder}); waiting`),
    },
    async () => {
      const installedMeanwhile = await readMarker(options);
      if (installedMeanwhile) return { marker: installedMeanwhile, reused: true };
      await rm(options.dir, { recursive: true, force: true });
      await mkdir(options.dir, { recursive: true });
      const started = Date.now();
      let verified: string;
      try {
        verified = await options.install();
      } catch (err) {
        await rm(options.dir, { recursive: true, force: true });
        throw err;
      }
      const marker: InstallMarker = {
        tool: options.tool,
        version: options.version,
        verified,
        installedAt: new Date().toISOString(),
        installSeconds: Math.round((Date.now() - started) / 100) / 10,
        bytes: await folderBytes(options.dir),
      };
      const markerPath = join(options.dir, MARKER_FILE);
      await writeFile(`${markerPath}.tmp`, JSON.stringify(marker, null, 2) + '\n');
      await rename(`${markerPath}.tmp`, markerPath);
      return { marker, reused: false };
    },
  );
}

/** The marker, if the folder holds a complete install of this exact version. */
export async function readMarker(options: Pick<InstallOnceOptions, 'dir' | 'tool' | 'version' | 'requiredFiles'>): Promise<InstallMarker | undefined> {
  let marker: InstallMarker;
  try {
    marker = JSON.parse(await readFile(join(options.dir, MARKER_FILE), 'utf8')) as InstallMarker;
  } catch {
    return undefined;
  }
  if (marker.tool !== options.tool || marker.version !== options.version) return undefined;
  for (const file of options.requiredFiles) {
    try {
      await lstat(file);
    } catch {
      return undefined;
    }
  }
  return marker;
}

/** Apparent size of every file under `dir` (symlinks counted as links, not targets). */
export async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (entry.isDirectory()) continue;
    try {
      total += (await lstat(join(entry.parentPath, entry.name))).size;
    } catch {
      // vanished while counting
    }
  }
  return total;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
  return `${(bytes / 1024).toFixed(0)} KiB`;
}
