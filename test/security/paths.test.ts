/**
 * Paths cannot escape their roots: a run's artifact paths (tracking/artifacts.ts) and the
 * dataset cache folders derived from a config's dataset name (recsys/data/safe-path.ts,
 * prepare.ts, store.ts). Hostile inputs get typed errors naming the field and what is expected.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSettingsSchema, SyntheticSettingsSchema, type DatasetSpec } from '../../recsys/config.ts';
import { prepareDataset } from '../../recsys/data/prepare.ts';
import { insideRoot, MAX_NAME_BYTES } from '../../recsys/data/safe-path.ts';
import { InputError } from '../../recsys/errors.ts';
import { artifactPathSegments, artifactProxyPath, proxyRootPath } from '../../tracking/artifacts.ts';
import { ArtifactLocationError } from '../../tracking/errors.ts';

const HOSTILE_ARTIFACT_PATHS = [
  '',
  '/etc/passwd',
  '../x',
  'a/../../b',
  'checkpoints/../../../other-run/model',
  '..',
  '.',
  'a/./b',
  'a//b',
  'a/',
  'a\\..\\..\\b',
  '..\\x',
  'C:/Windows/x',
  'c:x',
  'a\0b',
  'model\n/state',
  'a\u001fb',
];

describe('artifact paths stay inside the run', () => {
  it.each(HOSTILE_ARTIFACT_PATHS.map((p) => [JSON.stringify(p), p]))('refuses %s', (_label, p) => {
    expect(() => artifactPathSegments(p)).toThrow(ArtifactLocationError);
  });

  it('accepts ordinary paths; percent signs stay literal', () => {
    expect(artifactPathSegments('checkpoints/epoch-3.rxm')).toEqual(['checkpoints', 'epoch-3.rxm']);
    // `%2e%2e` is sent encoded (`%252e%252e`): the server sees a literal name, not `..`.
    const path = artifactProxyPath('mlflow-artifacts:/1/abc/artifacts', 'http://127.0.0.1:5000', '%2e%2e/x');
    expect(path).toBe('/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/%252e%252e/x');
  });

  it('refuses run roots that climb or carry control characters or bad encoding', () => {
    const base = 'http://127.0.0.1:5000';
    for (const uri of ['mlflow-artifacts:/1/a%2f..%2f..%2fb', 'mlflow-artifacts:/1/a%5cb', 'mlflow-artifacts:/1/a%00b', 'mlflow-artifacts:/1/%E0%A4%A']) {
      expect(() => proxyRootPath(uri, base), uri).toThrow(ArtifactLocationError);
    }
    // Dot segments the URL parser itself removes leave no `..` behind.
    expect(proxyRootPath('mlflow-artifacts:/1/%2e%2e/%2e%2e/etc', base).split('/')).not.toContain('..');
  });
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-paths-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('dataset folders stay inside the dataset cache', () => {
  it('insideRoot refuses anything outside or at the root, with the field named', () => {
    for (const p of ['..', '../x', 'a/../../x', '/etc', join(dir, '..', 'x'), '', '.', 'a\0b']) {
      let err: unknown;
      try {
        insideRoot(join(dir, 'cache'), p, 'dataset.name');
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(p)).toBeInstanceOf(InputError);
      expect((err as InputError).location.field).toBe('dataset.name');
      expect((err as InputError).expected).toContain('inside the dataset cache');
    }
    expect(insideRoot('cache', 'sources/x.jsonl', 'dataset.name')).toBe(join('cache', 'sources/x.jsonl'));
  });

  it('refuses an over-long name with a clear error instead of ENAMETOOLONG', () => {
    expect(() => insideRoot(dir, 'n'.repeat(MAX_NAME_BYTES + 1), 'dataset.name')).toThrow(/at most 200 bytes/);
  });

  it('a hostile dataset name writes nothing outside the cache', async () => {
    const root = join(dir, 'area');
    const cache = join(root, 'cache');
    await mkdir(cache, { recursive: true });
    const settings = { ...DataSettingsSchema.parse({}), userThresh: 10, featureThresh: 5 };
    const synthetic = SyntheticSettingsSchema.parse({ users: 30, items: 200, features: 8, reviewsPerUser: 16 });
    for (const name of ['../../escaped', '/tmp/abs', '..\\..\\win', '..', 'a/b/../../..']) {
      const spec: DatasetSpec = { source: 'synthetic', name, synthetic };
      const r = await prepareDataset(spec, settings, cache);
      const rel = relative(resolve(cache), resolve(r.folder));
      expect(rel === '' || rel === '..' || rel.startsWith('../') || isAbsolute(rel), `${name} → ${r.folder}`).toBe(false);
      expect(rel.includes('/')).toBe(false); // one folder right under the cache
    }
    expect(await readdir(root)).toEqual(['cache']);
    const long: DatasetSpec = { source: 'synthetic', name: 'x'.repeat(300), synthetic };
    await expect(prepareDataset(long, settings, cache)).rejects.toBeInstanceOf(InputError);
  });
});
