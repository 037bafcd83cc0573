/**
 * Step "unpack": take libtensorflow_cc.so.2, libtensorflow_framework.so.2 and the C API headers
 * out of the wheel (a zip; Python's zipfile reads it, Node has no unzip) and give the libraries
 * the link names binding.gyp uses (-ltensorflow -ltensorflow_framework).
 */
import { access, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lastLines, runCommand } from '../local/run-command.ts';
import { NativeSetupError } from './errors.ts';
import type { NativePaths } from './paths.ts';
import { WHEEL_HEADER_PREFIX, WHEEL_LIBS } from './versions.ts';

const MARKER = '.unpacked';

/** The wheel's libtensorflow_cc.so.2 carries the C and eager C API the addon calls (TF_*, TFE_*). */
export const LINK_NAMES: Record<string, string> = {
  'libtensorflow.so': 'libtensorflow_cc.so.2',
  'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
};

export async function isUnpacked(paths: NativePaths): Promise<boolean> {
  return exists(join(paths.root, MARKER));
}

const EXTRACT = `
import sys, zipfile, os, shutil
whl, libdir, incdir, prefix = sys.argv[1:5]
libs = sys.argv[5:]
with zipfile.ZipFile(whl) as z:
    names = set(z.namelist())
    missing = [l for l in libs if l not in names]
    if missing:
        sys.exit("wheel lacks " + ", ".join(missing))
    for l in libs:
        with z.open(l) as src, open(os.path.join(libdir, os.path.basename(l)), "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    n = 0
    for name in names:
        if name.startswith(prefix) and not name.endswith("/"):
            rel = name[len("tensorflow/include/"):]
            out = os.path.join(incdir, rel)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with z.open(name) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst)
            n += 1
    if not os.path.exists(os.path.join(incdir, "tensorflow", "c", "c_api.h")):
        sys.exit("wheel has no tensorflow/include/tensorflow/c/c_api.h")
    print(n)
`;

export async function unpackWheel(paths: NativePaths, python: string, wheel: string, log: (m: string) => void): Promise<void> {
  if (await isUnpacked(paths)) return;
  log(`unpacking libtensorflow_cc.so.2, libtensorflow_framework.so.2 and the C API headers into ${paths.root}`);
  // Unpack into temporary folders, then rename: an interrupted unpack leaves nothing that looks done.
  const tmpLib = `${paths.libDir}.tmp`;
  const tmpInc = `${paths.includeDir}.tmp`;
  await rm(tmpLib, { recursive: true, force: true });
  await rm(tmpInc, { recursive: true, force: true });
  await mkdir(tmpLib, { recursive: true });
  await mkdir(tmpInc, { recursive: true });
  const logFile = join(paths.logsDir, 'unpack.log');
  const r = await runCommand(python, ['-c', EXTRACT, wheel, tmpLib, tmpInc, WHEEL_HEADER_PREFIX, ...WHEEL_LIBS], {
    timeoutMs: 10 * 60_000,
    logFile,
  });
  if (r.code !== 0) {
    throw new NativeSetupError('unpack', `extracting from ${wheel} failed:\n${lastLines(r.tail, 6)}`, 'delete the wheel folder and rerun `rexsweep setup native` (a damaged download?)', logFile);
  }
  for (const [link, target] of Object.entries(LINK_NAMES)) await symlink(target, join(tmpLib, link));
  await rm(paths.libDir, { recursive: true, force: true });
  await rm(paths.includeDir, { recursive: true, force: true });
  await rename(tmpLib, paths.libDir);
  await rename(tmpInc, paths.includeDir);
  await writeFile(join(paths.root, MARKER), `${new Date().toISOString()} ${wheel}\n`);
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}
