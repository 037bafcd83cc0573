/**
 * Step "unpack": take libtensorflow_cc.so.2, libtensorflow_framework.so.2 and the C API headers
 * out of the TensorFlow wheel (a zip; Python's zipfile reads it, Node has no unzip), and for the
 * GPU build each NVIDIA wheel's nvidia/<lib>/ tree, as pip would install them (layout.ts says why
 * that layout). The libraries get the link names binding.gyp uses (-ltensorflow
 * -ltensorflow_framework) and the file tfjs-node's own install script looks for before it
 * downloads (libtensorflow.so.2.9.1), so a later `npm rebuild` builds against these instead.
 */
import { access, lstat, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { lastLines, runCommand } from '../local/run-command.ts';
import { NativeSetupError } from './errors.ts';
import type { NativePaths } from './paths.ts';
import { setupCommand, WHEEL_LIBS } from './versions.ts';

const MARKER = '.unpacked';

/** The wheel's libtensorflow_cc.so.2 carries the C and eager C API the addon calls (TF_*, TFE_*). */
export const LINK_NAMES: Record<string, string> = {
  'libtensorflow.so': 'libtensorflow_cc.so.2',
  'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
  'libtensorflow.so.2.9.1': 'libtensorflow_cc.so.2',
};

export async function isUnpacked(paths: NativePaths): Promise<boolean> {
  return exists(join(paths.root, MARKER));
}

/**
 * job = {tf, libdir, incdir, headerPrefixes, libs, beside: [wheel…], sitedir}. File modes are
 * kept (nvcc's ptxas must stay executable).
 */
const EXTRACT = `
import json, os, shutil, sys, zipfile
job = json.loads(sys.argv[1])
def put(z, info, out):
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with z.open(info) as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    mode = (info.external_attr >> 16) & 0o777
    if mode:
        os.chmod(out, mode)
with zipfile.ZipFile(job["tf"]) as z:
    infos = {i.filename: i for i in z.infolist()}
    missing = [l for l in job["libs"] if l not in infos]
    if missing:
        sys.exit(job["tf"] + " lacks " + ", ".join(missing))
    for l in job["libs"]:
        put(z, infos[l], os.path.join(job["libdir"], os.path.basename(l)))
    n = 0
    for name, info in infos.items():
        if any(name.startswith(p) for p in job["headerPrefixes"]) and not name.endswith("/"):
            put(z, info, os.path.join(job["incdir"], name[len("tensorflow/include/"):]))
            n += 1
    if not os.path.exists(os.path.join(job["incdir"], "tensorflow", "c", "c_api.h")):
        sys.exit("wheel has no tensorflow/include/tensorflow/c/c_api.h")
    print("headers", n)
for whl in job["beside"]:
    with zipfile.ZipFile(whl) as z:
        m = 0
        for info in z.infolist():
            if info.filename.startswith("nvidia/") and not info.filename.endswith("/"):
                put(z, info, os.path.join(job["sitedir"], info.filename))
                m += 1
        if m == 0:
            sys.exit(whl + " has no nvidia/ tree")
        print(os.path.basename(whl), m)
`;

export async function unpackWheels(paths: NativePaths, python: string, wheels: Map<string, string>, log: (m: string) => void): Promise<void> {
  if (await isUnpacked(paths)) return;
  const spec = paths.spec;
  // Unpack into temporary folders, then rename: an interrupted unpack leaves nothing that looks done.
  // GPU: the whole site folder (tensorflow/ + nvidia/) is one unit; CPU: the lib folder.
  const stage = paths.siteDir ?? paths.libDir;
  const tmpStage = `${stage}.tmp`;
  const tmpLib = join(tmpStage, relative(stage, paths.libDir));
  const tmpInc = `${paths.includeDir}.tmp`;
  for (const d of [tmpStage, tmpInc]) await rm(d, { recursive: true, force: true });
  await mkdir(tmpLib, { recursive: true });
  await mkdir(tmpInc, { recursive: true });
  log(`unpacking ${WHEEL_LIBS.map((l) => l.split('/').pop()).join(', ')}, the C API headers` +
    (spec.beside.length ? ` and ${spec.beside.length} NVIDIA library trees` : '') + ` into ${paths.root}`);
  const job = {
    tf: wheels.get(spec.tf.package),
    libdir: tmpLib,
    incdir: tmpInc,
    headerPrefixes: spec.headerPrefixes,
    libs: WHEEL_LIBS,
    beside: spec.beside.map((w) => wheels.get(w.package)),
    sitedir: tmpStage,
  };
  const logFile = join(paths.logsDir, 'unpack.log');
  const r = await runCommand(python, ['-c', EXTRACT, JSON.stringify(job)], { timeoutMs: 30 * 60_000, logFile });
  if (r.code !== 0) {
    throw new NativeSetupError(
      'unpack',
      `extracting the wheels failed:\n${lastLines(r.tail, 6)}`,
      `delete ${paths.wheelDir} and rerun \`${setupCommand(spec.flavour)}\` (a damaged download, or the disk is full?)`,
      logFile,
      spec.flavour,
    );
  }
  await ensureLinkNames(tmpLib);
  await rm(stage, { recursive: true, force: true });
  await rm(paths.includeDir, { recursive: true, force: true });
  await rename(tmpStage, stage);
  await rename(tmpInc, paths.includeDir);
  await writeFile(join(paths.root, MARKER), `${new Date().toISOString()} ${[...wheels.values()].join(' ')}\n`);
}

/** Create the link names beside the libraries; idempotent (a CPU cache unpacked before the marker moved here lacks it). */
export async function ensureLinkNames(libDir: string): Promise<void> {
  for (const [link, target] of Object.entries(LINK_NAMES)) {
    const there = await lstat(join(libDir, link)).then(() => true, () => false);
    if (!there) await symlink(target, join(libDir, link));
  }
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}
