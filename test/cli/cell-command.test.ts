/**
 * `rexsweep cell` as a user runs it: a real process, a YAML file, stdout and exit codes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CellResultSchema } from '../../recsys/cell/result.ts';

const BIN = fileURLToPath(new URL('../../bin/rexsweep.mjs', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function rexsweep(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, REXSWEEP_BACKEND: 'wasm' }, timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function cellFile(name: string, body: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, body.replaceAll('CACHE', join(dir, 'cache')));
  return file;
}

const SMALL = `dataset: { source: synthetic, name: tiny, synthetic: { users: 40, items: 200, features: 10, reviewsPerUser: 16 } }
model: MODEL
lambda: 0.5
epsilonD: 0.5
epsilonsA: [0.5]
epochs: 2
cer: { hidden: [32, 16], learningRate: 0.05 }
explainer: { steps: 20, testUsers: 4 }
datasetCache: CACHE
`;

describe('rexsweep cell --json', () => {
  for (const model of ['cer', 'efm']) {
    it(`prints one JSON object with every field, for ${model}`, async () => {
      const file = await cellFile(`${model}.yaml`, SMALL.replace('MODEL', model));
      const r = rexsweep('cell', file, '--json');
      expect(r.stderr).not.toContain('unexpected error');
      expect(r.code).toBe(0);
      const result = CellResultSchema.parse(JSON.parse(r.stdout));
      expect(result.backend).toBe('wasm');
      expect(result.train.epochs).toBe(2);
      expect(result.train.losses).toHaveLength(2);
      expect(result.evaluations.map((e) => `${e.attack}@${e.epsilon}`)).toEqual(['none@0', 'fgsm@0.5', 'random@0.5']);
      for (const e of result.evaluations) {
        for (const key of ['ndcg5', 'explained', 'meanExplanationSize', 'precision', 'recall', 'f1', 'pn', 'ps', 'fns', 'stability'] as const) {
          expect(e, key).toHaveProperty(key);
        }
      }
      // The resolved config, ambiguity choices included, is part of the result.
      expect((result.cell as { choices: Record<string, unknown> }).choices).toHaveProperty('perturbNonZeroOnly', false);
    });
  }

  it('same config and seed give the same numbers', async () => {
    const file = await cellFile('again.yaml', SMALL.replace('MODEL', 'cer'));
    const strip = (out: string) => {
      const r = CellResultSchema.parse(JSON.parse(out));
      return { losses: r.train.losses, evaluations: r.evaluations.map(({ seconds: _s, ...rest }) => rest) };
    };
    const a = rexsweep('cell', file, '--json');
    const b = rexsweep('cell', file, '--json');
    expect(a.code).toBe(0);
    expect(strip(a.stdout)).toEqual(strip(b.stdout));
  });

  it('prints a readable table without --json', async () => {
    const file = await cellFile('table.yaml', SMALL.replace('MODEL', 'efm'));
    const r = rexsweep('cell', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/EFM on tiny .*λ=0.5 ε_D=0.5, seed 0/);
    expect(r.stdout).toMatch(/attack\s+ε_A\s+NDCG@5/);
    expect(r.stdout.split('\n').filter((l) => /^\s*(none|fgsm|random)\s/.test(l))).toHaveLength(3);
  });
});

describe('bad input', () => {
  it('a bad config field: exit 2, file:line:column and the field', async () => {
    const file = await cellFile('bad.yaml', 'dataset: { source: synthetic }\nmodel: cer\nlambda: 1.5\n');
    const r = rexsweep('cell', file, '--json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:3:1 (field lambda)`);
    expect(r.stdout).toBe('');
  });

  it('a malformed dataset line: exit 2, file and line, and no dataset folder is left behind', async () => {
    const data = join(dir, 'broken.jsonl');
    const good = (u: number) => JSON.stringify({ user: `u${u}`, item: 'i1', time: u, rating: 4, triplets: [['screen', 'great', 1]] });
    await writeFile(data, [good(1), good(2), '{"user": "u3", "item": "i1", "time": 3, "triplets": [["screen", "bad", 2]]}'].join('\n') + '\n');
    const file = await cellFile('broken.yaml', `dataset: { source: interchange, name: broken, path: ${data} }\nmodel: cer\ndatasetCache: ${join(dir, 'broken-cache')}\n`);
    const r = rexsweep('cell', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${data}:3`);
    expect(r.stderr).toMatch(/triplets/);
    const { readdir } = await import('node:fs/promises');
    const left = await readdir(join(dir, 'broken-cache')).catch(() => [] as string[]);
    expect(left.filter((n) => n.startsWith('broken-'))).toEqual([]);
  });
});
