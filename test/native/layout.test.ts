/**
 * How the GPU build's libraries find CUDA without LD_LIBRARY_PATH (infra/native/layout.ts): the
 * RUNPATH expansion and search, the ELF reader, and — with two toy libraries built by the C
 * compiler setup needs anyway — why deps/lib must be a directory link: $ORIGIN/../nvidia resolves
 * through a linked directory, not through a linked file.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readElfDynamic } from '../../infra/native/elf.ts';
import { NativeSetupError } from '../../infra/native/errors.ts';
import { checkCudaLayout, expandRunpath, findInRunpath, loaderOrigin, parseLddMissing } from '../../infra/native/layout.ts';
import { nativePaths } from '../../infra/native/paths.ts';
import { CUDA_DSOS } from '../../infra/native/versions.ts';

// tensorflow 2.15.1's libtensorflow_framework.so.2, as readelf -d prints it.
const TF_RUNPATH =
  '$ORIGIN/:$ORIGIN/../../nvidia/cuda_runtime/lib:$ORIGIN/../nvidia/cuda_runtime/lib:$ORIGIN/../../tensorrt:$ORIGIN/../tensorrt:' +
  '$ORIGIN/../../nvidia/cublas/lib:$ORIGIN/../nvidia/cublas/lib:$ORIGIN/../../nvidia/cudnn/lib:$ORIGIN/../nvidia/cudnn/lib:' +
  '$ORIGIN/../../nvidia/cufft/lib:$ORIGIN/../nvidia/cufft/lib:$ORIGIN/../../nvidia/cusolver/lib:$ORIGIN/../nvidia/cusolver/lib:' +
  '$ORIGIN/../../nvidia/cusparse/lib:$ORIGIN/../nvidia/cusparse/lib:$ORIGIN/../../nvidia/cuda_cupti/lib:$ORIGIN/../nvidia/cuda_cupti/lib';

describe('RUNPATH resolution (pure)', () => {
  it('expands $ORIGIN and ${ORIGIN} without folding `..` (the kernel resolves it through links)', () => {
    expect(expandRunpath('$ORIGIN/:${ORIGIN}/../nvidia/cudnn/lib::', '/r/node_modules/p/deps/lib')).toEqual([
      '/r/node_modules/p/deps/lib/',
      '/r/node_modules/p/deps/lib/../nvidia/cudnn/lib',
    ]);
  });

  it('takes the first folder that has the soname, as the loader does', () => {
    const dirs = expandRunpath(TF_RUNPATH, '/o');
    const have = new Set(['/o/../nvidia/cudnn/lib/libcudnn.so.8', '/o/../../nvidia/cudnn/lib/libcudnn.so.8']);
    expect(findInRunpath(dirs, 'libcudnn.so.8', (p) => have.has(p))).toBe('/o/../../nvidia/cudnn/lib/libcudnn.so.8');
    expect(findInRunpath(dirs, 'libcudart.so.12', (p) => have.has(p))).toBeUndefined();
  });

  it("TensorFlow's RUNPATH names the folder of every CUDA library in versions.ts", () => {
    const dirs = expandRunpath(TF_RUNPATH, '/site/tensorflow');
    for (const { soname, dir } of CUDA_DSOS) {
      expect(findInRunpath(dirs, soname, (p) => p === `/site/tensorflow/../nvidia/${dir}/lib/${soname}`), soname).toBeDefined();
    }
  });

  it("reads ldd's unresolved libraries", () => {
    const out = '\tlinux-vdso.so.1 (0x0)\n\tlibz.so.1 => not found\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x1)\n\tlibnvJitLink.so.12 => not found\n';
    expect(parseLddMissing(out)).toEqual(['libz.so.1', 'libnvJitLink.so.12']);
  });
});

const cc = spawnSync('sh', ['-c', 'command -v gcc || command -v cc'], { encoding: 'utf8' }).stdout.trim();
describe.skipIf(!cc)(`with toy libraries${cc ? '' : ' (skipped: no C compiler; setup native needs one anyway)'}`, () => {
  let dir: string;
  const run = (args: string[]) => {
    const r = spawnSync(cc, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rexsweep-layout-'));
    // site/tensorflow/liba.so needs libb.so from $ORIGIN/../nvidia/x/lib, like libtensorflow_* and CUDA.
    await mkdir(join(dir, 'site/tensorflow'), { recursive: true });
    await mkdir(join(dir, 'site/nvidia/x/lib'), { recursive: true });
    await writeFile(join(dir, 'b.c'), 'int b(void){return 42;}\n');
    await writeFile(join(dir, 'a.c'), 'int b(void); int a(void){return b();}\n');
    await writeFile(join(dir, 'm.c'), '#include <dlfcn.h>\n#include <stdio.h>\nint main(int c,char**v){void*h=dlopen(v[1],RTLD_NOW);if(!h){printf("%s\\n",dlerror());return 1;}int(*a)(void)=(int(*)(void))dlsym(h,"a");printf("%d\\n",a());return 0;}\n');
    run(['-shared', '-fPIC', '-o', join(dir, 'site/nvidia/x/lib/libb.so'), join(dir, 'b.c')]);
    run(['-shared', '-fPIC', '-o', join(dir, 'site/tensorflow/liba.so'), join(dir, 'a.c'), `-L${join(dir, 'site/nvidia/x/lib')}`, '-lb',
      '-Wl,-soname,liba.so', '-Wl,--enable-new-dtags,-rpath,$ORIGIN/../nvidia/x/lib']);
    run(['-o', join(dir, 'm'), join(dir, 'm.c'), '-ldl']);
    // pkg1/deps/lib → site/tensorflow (a directory link); pkg2/deps/lib/liba.so → the file.
    await mkdir(join(dir, 'pkg1/deps'), { recursive: true });
    await symlink(join(dir, 'site/tensorflow'), join(dir, 'pkg1/deps/lib'), 'dir');
    await mkdir(join(dir, 'pkg2/deps/lib'), { recursive: true });
    await symlink(join(dir, 'site/tensorflow/liba.so'), join(dir, 'pkg2/deps/lib/liba.so'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('readElfDynamic gives the soname, what it needs and its RUNPATH', async () => {
    const d = await readElfDynamic(join(dir, 'site/tensorflow/liba.so'));
    expect(d.soname).toBe('liba.so');
    expect(d.needed).toContain('libb.so');
    expect(d.runpath).toBe('$ORIGIN/../nvidia/x/lib');
    await expect(readElfDynamic(join(dir, 'a.c'))).rejects.toThrow(/not an ELF64/);
  });

  it('through a directory link $ORIGIN/../nvidia resolves; through a file link it does not', () => {
    const load = (p: string) => spawnSync(join(dir, 'm'), [p], { encoding: 'utf8', env: { PATH: process.env.PATH } }).stdout.trim();
    expect(load(join(dir, 'pkg1/deps/lib/liba.so'))).toBe('42');
    expect(load(join(dir, 'pkg2/deps/lib/liba.so'))).toMatch(/libb\.so: cannot open shared object file/);
  });

  it('checkCudaLayout finds every CUDA library through deps/lib, and names the one that is missing', async () => {
    const repo = join(dir, 'repo');
    const paths = nativePaths(repo, { REXSWEEP_CACHE: join(dir, 'cache') }, 'gpu');
    await mkdir(paths.libDir, { recursive: true });
    for (const lib of ['libtensorflow_framework.so.2', 'libtensorflow_cc.so.2']) {
      run(['-shared', '-fPIC', '-o', join(paths.libDir, lib), join(dir, 'b.c'), `-Wl,--enable-new-dtags,-rpath,${TF_RUNPATH}`]);
    }
    for (const { soname, dir: d } of CUDA_DSOS) {
      await mkdir(join(paths.siteDir!, 'nvidia', d, 'lib'), { recursive: true });
      run(['-shared', '-fPIC', '-o', join(paths.siteDir!, 'nvidia', d, 'lib', soname), join(dir, 'b.c')]);
    }
    await mkdir(join(paths.packageDir, 'deps'), { recursive: true });
    await symlink(paths.libDir, join(paths.packageDir, 'deps/lib'), 'dir');
    const report = await checkCudaLayout(paths);
    expect(report.resolved['libcudnn.so.8']).toBe(`${loaderOrigin(paths)}/../nvidia/cudnn/lib/libcudnn.so.8`);
    expect(Object.keys(report.resolved).sort()).toEqual(CUDA_DSOS.map((d) => d.soname).sort());

    await rm(join(paths.siteDir!, 'nvidia/cudnn/lib/libcudnn.so.8'));
    const err = await checkCudaLayout(paths).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NativeSetupError);
    expect((err as NativeSetupError).step).toBe('layout');
    expect((err as NativeSetupError).message).toMatch(/libcudnn\.so\.8 is not found through TensorFlow's RUNPATH/);
    expect((err as NativeSetupError).message).toContain('setup native --gpu failed');
  });
});
