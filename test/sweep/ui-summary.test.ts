/** The Temporal UI's lines for sweeps and cells (sweep/ui-summary.ts): pure, and within Temporal's limits. */
import { describe, expect, it } from 'vitest';
import { expandSweep } from '../../sweep/expand.ts';
import { parseSweepYaml } from '../../sweep/load.ts';
import { cellDetails, cellSummary, fitJsonBytes, SUMMARY_MAX_BYTES, sweepDetails, sweepSummary } from '../../sweep/ui-summary.ts';

const jsonBytes = (s: string) => Buffer.byteLength(JSON.stringify(s), 'utf8');

describe('cell summary', () => {
  it('names model, dataset, λ, ε_D and seed of a defended cell', () => {
    expect(cellSummary({ model: 'cer', dataset: 'synthetic-demo', lambda: 0.5, epsilonD: 0.5, seed: 0 })).toBe('cer · synthetic-demo · λ 0.5 · ε_D 0.5 · seed 0');
  });

  it('says vanilla for λ = 0, without ε_D', () => {
    expect(cellSummary({ model: 'efm', dataset: 'cds', lambda: 0, epsilonD: 0, seed: 1 })).toBe('efm · cds · vanilla · seed 1');
  });

  it('writes numbers in the canonical format (shortest round trip)', () => {
    expect(cellSummary({ model: 'cer', dataset: 'd', lambda: 0.1 + 0.2, epsilonD: 1e-7, seed: 12 })).toBe('cer · d · λ 0.30000000000000004 · ε_D 1e-7 · seed 12');
  });

  it('is the same for every cell of an expanded sweep as for its parts, and distinct across cells', () => {
    const sweep = parseSweepYaml(
      `
study: ui
name: ui
datasets: [{ source: synthetic, name: tiny }]
models: [cer, efm]
lambdas: [0, 0.5]
epsilonsD: [0.5, 1]
epsilonsA: [0.5]
seeds: [0, 1]
`,
      'ui.yaml',
    );
    const cells = expandSweep(sweep);
    const summaries = cells.map(cellSummary);
    expect(new Set(summaries).size).toBe(cells.length);
    expect(summaries).toContain('efm · tiny · λ 0.5 · ε_D 1 · seed 1');
    expect(summaries.filter((s) => s.includes('vanilla'))).toHaveLength(4); // 2 models × 2 seeds, not × ε_D
  });
});

describe('cell details and sweep lines', () => {
  it('cell details carry the cell key, the study and the sweep id (markdown)', () => {
    const d = cellDetails('ab12cd34ef56', { study: 'paper', sweepId: 'paper-1a2b' });
    expect(d).toContain('`ab12cd34ef56`');
    expect(d).toContain('study `paper`');
    expect(d).toContain('sweep `paper-1a2b`');
  });

  it('sweep summary: name, study and cell count', () => {
    expect(sweepSummary({ name: 'demo', study: 'rexsweep-demo' }, 12)).toBe('sweep demo · study rexsweep-demo · 12 cells');
    expect(sweepSummary({ name: 'one', study: 's' }, 1)).toBe('sweep one · study s · 1 cell');
    expect(sweepDetails({ sweepId: 'demo-1a2b', study: 'rexsweep-demo' })).toContain('`demo-1a2b`');
  });
});

describe("Temporal's size limits", () => {
  it('a long dataset name is cut so that the JSON payload stays within 400 bytes', () => {
    const s = cellSummary({ model: 'cer', dataset: 'λ'.repeat(500), lambda: 0.5, epsilonD: 0.5, seed: 0 });
    expect(jsonBytes(s)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    expect(s.startsWith('cer · λλ')).toBe(true);
    expect(s.endsWith('…')).toBe(true);
  });

  it('counts JSON escapes and never splits a code point', () => {
    const quoted = fitJsonBytes('"\\'.repeat(300), 100);
    expect(jsonBytes(quoted)).toBeLessThanOrEqual(100);
    const emoji = fitJsonBytes('😀'.repeat(100), 50);
    expect(jsonBytes(emoji)).toBeLessThanOrEqual(50);
    expect(Array.from(emoji.slice(0, -1)).every((c) => c === '😀')).toBe(true);
    expect(fitJsonBytes('short', 100)).toBe('short');
  });
});
