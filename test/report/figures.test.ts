/** Figures render headless: valid SVG with the expected series, PNG of the right size and not blank. */
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderFigures, type Figure } from '../../report/figures/index.ts';
import { PNG_SCALE, svgToPng } from '../../report/figures/render.ts';
import { buildTable } from '../../report/table.ts';
import { fixtureCells } from './fixtures.ts';

const table = buildTable({ sweepId: 'toy-1234abcd', study: 'tests', cells: fixtureCells({ models: ['cer', 'efm'] }) });
let figures: Figure[];

beforeAll(async () => {
  figures = await renderFigures(table);
});

function pixels(png: Buffer): { width: number; height: number; distinct: number; nonWhite: number } {
  const img = PNG.sync.read(png);
  const seen = new Set<number>();
  let nonWhite = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    const [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]];
    seen.add((r << 16) | (g << 8) | b);
    if (r < 250 || g < 250 || b < 250) nonWhite++;
  }
  return { width: img.width, height: img.height, distinct: seen.size, nonWhite: nonWhite / (img.width * img.height) };
}

const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

describe('figures', () => {
  it('a robustness curve per (dataset, model, attack, NDCG@5 | F_NS) and a heatmap per drop', () => {
    const names = figures.map((f) => f.name);
    expect(names.filter((n) => n.startsWith('curve-'))).toHaveLength(2 * 2 * 2);
    expect(names.filter((n) => n.startsWith('heatmap-'))).toHaveLength(2 * 2 * 2);
    expect(names).toContain('curve-toy-cer-fgsm-ndcg5');
    expect(names).toContain('heatmap-toy-efm-fgsm-fns_drop');
    expect(new Set(names).size).toBe(names.length);
  });

  it('curve SVG: one line and one error band per defense, vanilla black and dashed', () => {
    const f = figures.find((x) => x.name === 'curve-toy-cer-fgsm-ndcg5')!;
    expect(f.svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]* width="\d+" height="\d+"/);
    expect(f.svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(f.series).toBe(3);
    expect(count(f.svg, /<g class="mark-line role-mark/g)).toBe(3);
    expect(count(f.svg, /<g class="mark-area role-mark/g)).toBe(3);
    // the vanilla line: black, dashed
    expect(f.svg).toMatch(/<path[^>]*stroke="#000000"[^>]*stroke-dasharray="6,3"|<path[^>]*stroke-dasharray="6,3"[^>]*stroke="#000000"/);
    for (const label of ['vanilla', 'λ=0.5 ε_D=0.5', 'λ=0.5 ε_D=1', 'NDCG@5']) expect(f.svg).toContain(label);
    // a legend names every line's defense (not only the points' tooltips)
    const legend = f.svg.slice(f.svg.indexOf('role-legend'));
    expect(f.svg).toContain('role-legend');
    for (const label of ['defense (λ, ε_D)', 'vanilla', 'λ=0.5 ε_D=0.5', 'λ=0.5 ε_D=1']) expect(legend).toContain(`>${label}<`);
    // 3 points per line (clean, ε_A 0.5, ε_A 1)
    expect(count(f.svg, /aria-roledescription="point"/g)).toBe(9);
    // the points carry the means: vanilla at ε_A 1 is 0.11 (0.10, 0.11, 0.12 over seeds)
    expect(f.svg).toMatch(/aria-label="attack budget ε_A \(0 = clean\): 1; NDCG@5: 0\.11[0-9]*; defense \(λ, ε_D\): vanilla/);
  });

  it('heatmap SVG: one panel per ε_A, one cell per (λ, ε_D), the mean drop written in it', () => {
    const f = figures.find((x) => x.name === 'heatmap-toy-cer-fgsm-ndcg5_drop')!;
    expect(f.series).toBe(2);
    expect(count(f.svg, /<g class="mark-rect role-mark/g)).toBe(2);
    // λ 0.5: ε_D 0.5 drops 0.15·ε_A, ε_D 1 drops 0.1·ε_A; vanilla 0.2·ε_A is in the subtitle
    for (const v of ['0.075', '0.050', '0.150', '0.100']) expect(f.svg).toContain(`>${v}<`);
    expect(f.svg).toContain('vanilla: ε_A 0.5: 0.100, ε_A 1: 0.200');
  });

  it('PNG: PNG_SCALE × the SVG size, not blank, many colours', () => {
    for (const f of figures) {
      const p = pixels(f.png);
      const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(f.svg)!.map(Number);
      expect({ name: f.name, width: p.width, height: p.height }).toEqual({ name: f.name, width: w * PNG_SCALE, height: h * PNG_SCALE });
      expect(p.distinct, f.name).toBeGreaterThan(20);
      expect(p.nonWhite, f.name).toBeGreaterThan(0.02);
      expect(p.nonWhite, f.name).toBeLessThan(0.9);
    }
  });

  it('text renders: a font is found (an SVG of text alone is not blank)', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="5" y="28" font-family="sans-serif" font-size="24">NDCG@5 ε_A</text></svg>';
    const p = pixels(svgToPng('text', svg).png);
    expect(p.nonWhite).toBeGreaterThan(0.03);
  });
});
