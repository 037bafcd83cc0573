/**
 * gridHash (sweep/grid-hash.ts): identifies the set of cell keys without expanding the grid.
 * Same set → same hash (whatever the file order), other set → other hash, and a 10⁷-cell grid
 * is hashed in well under a second with a heap that does not grow with the grid.
 */
import { describe, expect, it } from 'vitest';
import { expandSweep } from '../../sweep/expand.ts';
import { gridHash } from '../../sweep/grid-hash.ts';
import { parseSweepYaml } from '../../sweep/load.ts';

function sweep(grid: { lambdas: string; epsilonsD?: string; seeds: string; datasets?: string; models?: string; cell?: string }) {
  return parseSweepYaml(
    `
study: gh
name: gh
datasets: ${grid.datasets ?? '[{ source: synthetic, name: tiny }]'}
models: ${grid.models ?? '[cer]'}
lambdas: ${grid.lambdas}
epsilonsD: ${grid.epsilonsD ?? '[0.5]'}
epsilonsA: [0.5]
attacks: [fgsm]
seeds: ${grid.seeds}
cell: ${grid.cell ?? '{ noop: true }'}
`,
    'gh.yaml',
  );
}

const keySet = (s: ReturnType<typeof sweep>) => expandSweep(s).map((c) => c.key).sort().join(',');

describe('gridHash', () => {
  it('is the same for the same set of cells in another file order', () => {
    const a = sweep({ lambdas: '[0, 0.5, 0.25]', epsilonsD: '[0.1, 0.2]', seeds: '[0, 1, 2]', models: '[cer, efm]' });
    const b = sweep({ lambdas: '[0.25, 0, 0.5]', epsilonsD: '[0.2, 0.1]', seeds: '[2, 0, 1]', models: '[efm, cer]' });
    expect(keySet(a)).toBe(keySet(b));
    expect(gridHash(a)).toBe(gridHash(b));
  });

  it('differs when the set of cells differs (a seed, a point, a model, a setting)', () => {
    const base = sweep({ lambdas: '[0, 0.5]', seeds: '[0, 1]' });
    const others = [
      sweep({ lambdas: '[0, 0.5]', seeds: '[0, 1, 2]' }),
      sweep({ lambdas: '[0, 0.5, 0.7]', seeds: '[0, 1]' }),
      sweep({ lambdas: '[0, 0.5]', epsilonsD: '[0.5, 0.1]', seeds: '[0, 1]' }),
      sweep({ lambdas: '[0, 0.5]', seeds: '[0, 1]', models: '[cer, efm]' }),
      sweep({ lambdas: '[0, 0.5]', seeds: '[0, 1]', datasets: '[{ source: synthetic, name: tiny, synthetic: { users: 50 } }]' }),
    ];
    const hashes = new Set([base, ...others].map(gridHash));
    expect(hashes.size).toBe(others.length + 1);
    for (const o of others) expect(keySet(o)).not.toBe(keySet(base));
  });

  it('hashes a 10⁷-cell grid within a second and a bounded heap', () => {
    // 1 dataset × 1 model × (1 vanilla + 999 λ) points × 10,000 seeds = 10⁷ cells.
    const lambdas = `[0, ${Array.from({ length: 999 }, (_, i) => ((i + 1) / 1000).toFixed(3)).join(', ')}]`;
    const seeds = `[${Array.from({ length: 10_000 }, (_, i) => i).join(', ')}]`;
    const big = sweep({ lambdas, seeds });
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const h = gridHash(big);
    const ms = performance.now() - t0;
    const grown = process.memoryUsage().heapUsed - heapBefore;
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(ms).toBeLessThan(1000);
    // Expanding 10⁷ cells would take gigabytes; the sets hashed here are a few hundred kB.
    expect(grown).toBeLessThan(64 * 1024 * 1024);
  });
});
