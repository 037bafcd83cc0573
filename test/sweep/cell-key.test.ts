/**
 * Cell keys: stable under everything that does not change what a cell computes (key order,
 * written-out defaults, file paths, the cache location, ε_A and attacks, ε_D at λ = 0, the other
 * model's settings) and different under everything that does.
 */
import { describe, expect, it } from 'vitest';
import { CellConfigSchema, resolveCellConfig, type CellConfigInput } from '../../recsys/config.ts';
import { CELL_KEY_HEX, cellIdentity, cellKey } from '../../sweep/cell-key.ts';

const SYNTHETIC = { source: 'synthetic', name: 'tiny', synthetic: { users: 40, items: 200, features: 10, reviewsPerUser: 16 } } as const;
const cell = (over: Partial<CellConfigInput> = {}): CellConfigInput => ({
  dataset: SYNTHETIC,
  model: 'cer',
  lambda: 0.5,
  epsilonD: 0.5,
  seed: 0,
  epochs: 10,
  ...over,
});

/** Reverse the key order of every object, recursively. */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)]));
  return v;
}

function leaves(v: unknown, path: string[] = []): string[][] {
  if (v && typeof v === 'object' && !Array.isArray(v)) return Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, k]));
  return [path];
}

function setIn(obj: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  const inner = (obj[head] ?? {}) as Record<string, unknown>;
  return { ...obj, [head]: rest.length ? setIn(inner, rest, value) : value };
}

const STRINGS = ['cer', 'efm', 'wasm', 'cpu', 'observed', 'full', 'positive', 'all', 'l2-squared', 'l2', 'test-candidates', 'train', 'warm', 'scratch', 'factors', 'poison', 'after-step', 'evaluated', 'other-name', 'elsewhere'];

/** A different value at `path` that the cell schema accepts, or undefined if the field has only one. */
function mutated(input: CellConfigInput, path: string[], current: unknown): CellConfigInput | undefined {
  const candidates: unknown[] =
    typeof current === 'number' ? [current + 1, current / 2, current * 2, 0.3, 7]
    : typeof current === 'boolean' ? [!current]
    : typeof current === 'string' ? STRINGS
    : Array.isArray(current) ? [[...current].reverse(), current.slice(0, 1), [...current, ...current.slice(-1)], [3]]
    : [];
  for (const c of candidates) {
    if (JSON.stringify(c) === JSON.stringify(current)) continue;
    const next = setIn(input as Record<string, unknown>, path, c) as CellConfigInput;
    if (CellConfigSchema.safeParse(next).success) return next;
  }
  return undefined;
}

describe('cellKey', () => {
  it('is CELL_KEY_HEX lowercase hex digits, and pinned: a change here re-runs every finished cell', () => {
    const key = cellKey(cell());
    expect(key).toMatch(new RegExp(`^[0-9a-f]{${CELL_KEY_HEX}}$`));
    // If this fails, the key layout or canonical form changed: bump CODE_VERSION on purpose, or revert.
    expect(key).toMatchInlineSnapshot(`"0583b7701fdad4b9918d"`);
  });

  it('does not depend on key order or on written-out defaults', () => {
    const minimal = cell();
    const full = CellConfigSchema.parse(minimal);
    expect(cellKey(reversed(full) as CellConfigInput)).toBe(cellKey(minimal));
    expect(cellKey(full)).toBe(cellKey(minimal));
    // Per-kind defaults written out: the resolved config is what is hashed.
    expect(cellKey({ ...minimal, explainer: { lam: 200, alpha: 0.05, testUsers: -1 }, data: { userThresh: 10, featureThresh: 5 } })).toBe(cellKey(minimal));
  });

  // What each model does not read; everything else must change its key.
  const notRead: Record<'cer' | 'efm' | 'overlap', (p: string) => boolean> = {
    cer: (p) => p.startsWith('efm.') || p.startsWith('overlap.'),
    efm: (p) => p.startsWith('cer.') || p.startsWith('overlap.') || (p.startsWith('explainer.') && p !== 'explainer.testUsers'),
    // The baseline trains nothing: no λ, ε_D or epochs either.
    overlap: (p) => p.startsWith('cer.') || p.startsWith('efm.') || (p.startsWith('explainer.') && p !== 'explainer.testUsers') || ['lambda', 'epsilonD', 'epochs'].includes(p),
  };
  for (const model of ['cer', 'efm', 'overlap'] as const) {
    it(`changes when any setting a ${model.toUpperCase()} cell reads changes, and only then`, () => {
      const input = cell({ model, ...(model === 'overlap' ? { lambda: 0.5, epsilonD: 0.5 } : {}) });
      const resolved = resolveCellConfig(CellConfigSchema.parse(input));
      const base = cellKey(input);
      const ignored = (p: string) => p === 'datasetCache' || p === 'epsilonsA' || p === 'attacks' || notRead[model](p);
      const singleValued = new Set(['dataset.source', 'choices.cerTrainingFgsm', 'choices.defenseInit']);
      const unchanged: string[] = [];
      const changed: string[] = [];
      for (const path of leaves(resolved)) {
        const p = path.join('.');
        const value = path.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], resolved);
        const next = mutated(input, path, value);
        if (!next) {
          expect(singleValued, `no other valid value for ${p}`).toContain(p);
          continue;
        }
        (cellKey(next) === base ? unchanged : changed).push(p);
      }
      const wrong = [
        ...changed.filter(ignored).map((p) => `${p} changed the key`),
        ...unchanged.filter((p) => !ignored(p)).map((p) => `${p} left the key unchanged`),
      ];
      expect(wrong).toEqual([]);
      expect(unchanged.length).toBeGreaterThan(3);
      if (model !== 'overlap') expect(changed).toContain('lambda');
      expect(changed).toContain('dataset.synthetic.seed');
      expect(changed).toContain('attackSettings.pgd.steps');
    });
  }

  it('treats vanilla as one cell whatever ε_D says', () => {
    expect(cellKey(cell({ lambda: 0, epsilonD: 0.75 }))).toBe(cellKey(cell({ lambda: 0, epsilonD: 0 })));
    expect(cellKey(cell({ lambda: 0.5, epsilonD: 0.75 }))).not.toBe(cellKey(cell({ lambda: 0.5, epsilonD: 0.5 })));
  });

  it('identifies real data by name and settings, not by where the files are', () => {
    const at = (dir: string): CellConfigInput => cell({ dataset: { source: 'amazon', name: 'cds', sentires: `${dir}/cds.sentires`, reviews: `${dir}/cds.json` } });
    expect(cellKey(at('/data'))).toBe(cellKey(at('/mnt/other')));
    expect(cellKey(cell({ dataset: { source: 'amazon', name: 'cds-v2', sentires: '/data/cds.sentires', reviews: '/data/cds.json' } }))).not.toBe(cellKey(at('/data')));
    expect(cellKey(cell({ dataset: { source: 'yelp', name: 'cds', sentires: '/data/cds.sentires', reviews: '/data/cds.json' } }))).not.toBe(cellKey(at('/data')));
  });

  it('hashes the identity object documented in cell-key.ts', () => {
    const id = cellIdentity(cell()) as { layout: number; code: number; cell: Record<string, unknown> };
    expect(Object.keys(id).sort()).toEqual(['cell', 'code', 'dataset', 'layout']);
    expect(Object.keys(id.cell).sort()).toEqual(['backend', 'cer', 'choices', 'data', 'epochs', 'epsilonD', 'explainer', 'lambda', 'model', 'seed']);
  });
});
