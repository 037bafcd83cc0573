/**
 * The HTML report opened in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core): the tables and every figure are there and drawn, and a screenshot is not blank.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullReportFiles, writeReportFolder } from '../../report/files.ts';
import { buildTable } from '../../report/table.ts';
import { fixtureCells } from './fixtures.ts';

const CHROMIUM = process.env.REXSWEEP_CHROMIUM || '/usr/bin/chromium';

let dir: string;
let context: BrowserContext;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rexsweep-html-'));
  const table = buildTable({ sweepId: 'toy-1234abcd', study: 'tests', cells: fixtureCells({ models: ['cer', 'efm'] }) });
  const { files } = await fullReportFiles(table, { mlflowRunUrl: 'http://127.0.0.1:1/#/experiments/1/runs/abc' });
  await writeReportFolder(join(dir, 'report'), files);
  // A fresh profile each time; no network, no background services.
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 900 },
  });
});

afterAll(async () => {
  await context?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('HTML report in headless Chromium', () => {
  it('shows the results tables and every figure, drawn', async () => {
    const page = await context.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    await page.goto(pathToFileURL(join(dir, 'report', 'report.html')).href, { waitUntil: 'load' });

    expect(await page.title()).toBe('rexsweep report: toy-1234abcd');
    const tables = page.locator('table.results');
    expect(await tables.count()).toBe(2); // toy × (FGSM, random)
    const fgsm = page.locator('table.results[data-attack="fgsm"]');
    expect(await fgsm.locator('tbody tr').count()).toBe(6); // 2 models × 3 defenses
    // the vanilla CER row: clean NDCG@5 0.31 ± 0.01, FGSM ε_A 1 NDCG@5 0.11 ± 0.01
    const vanilla = await fgsm.locator('tbody tr').first().locator('td').allTextContents();
    expect(vanilla[0]).toBe('0.310 ± 0.010');
    expect(vanilla).toContain('0.110 ± 0.010');

    // the paired comparisons: toy × (defended vs vanilla, FGSM vs random), one row each
    const comparisons = page.locator('table.comparisons');
    expect(await comparisons.count()).toBe(2);
    const table = buildTable({ sweepId: 'toy-1234abcd', study: 'tests', cells: fixtureCells({ models: ['cer', 'efm'] }) });
    expect(await comparisons.locator('tbody tr').count()).toBe(table.comparisons.length);
    expect(await page.locator('table.comparisons tr.supported').count()).toBe(table.comparisons.filter((c) => c.supported).length);

    const figures = page.locator('figure');
    expect(await figures.count()).toBe(16);
    for (let i = 0; i < 16; i++) {
      const box = await figures.nth(i).locator('svg').first().boundingBox();
      expect(box, `figure ${i}`).not.toBeNull();
      expect(box!.width).toBeGreaterThan(200);
      expect(box!.height).toBeGreaterThan(150);
    }
    // The curve's three lines were drawn by the browser, not just present in the markup.
    const lines = page.locator('figure[data-figure="curve-toy-cer-fgsm-ndcg5"] g.mark-line path');
    expect(await lines.count()).toBe(3);
    expect((await lines.first().boundingBox())!.width).toBeGreaterThan(100);

    const shot = join(dir, 'screenshot.png');
    await page.screenshot({ path: shot, fullPage: true });
    const img = PNG.sync.read(await import('node:fs').then((fs) => fs.readFileSync(shot)));
    expect(img.width).toBe(1400);
    expect(img.height).toBeGreaterThan(900); // tables + 16 figures: longer than one screen
    const colours = new Set<number>();
    for (let i = 0; i < img.data.length; i += 4 * 7) colours.add((img.data[i] << 16) | (img.data[i + 1] << 8) | img.data[i + 2]);
    expect(colours.size).toBeGreaterThan(50);
    expect(failed).toEqual([]);
    expect((await stat(join(dir, 'report', 'figures', 'curve-toy-cer-fgsm-ndcg5.png'))).size).toBeGreaterThan(1000);
  });
});
