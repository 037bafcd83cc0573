/**
 * The memory preflight (issue 11 item 6): absurd sizes are refused at plan/run/cell time with the
 * field to blame; real configs pass; REXSWEEP_MAX_CELL_MEMORY sets the limit.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cellMemoryLimit, preflightCell, preflightSweep } from '../../cli/preflight.ts';
import { loadYamlFile } from '../../recsys/config-file.ts';
import { CellConfigSchema } from '../../recsys/config.ts';
import { ConfigError } from '../../recsys/errors.ts';
import { loadSweepFile, parseSweepYaml } from '../../sweep/load.ts';

const BIN = fileURLToPath(new URL('../../bin/rexsweep.mjs', import.meta.url));
const path = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const GiB = 2 ** 30;
const limit = (bytes: number) => ({ bytes, source: 'test' });

function refusal(f: () => void): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('not refused');
}

const sweepWith = (datasets: string, models: string, cell = '{}') =>
  parseSweepYaml(`study: s\nname: s\ndatasets: ${datasets}\nmodels: ${models}\nlambdas: [0, 0.5]\nepsilonsD: [0.5]\nepsilonsA: [0.5]\nattacks: [fgsm]\nseeds: [0]\ncell: ${cell}\n`, 's.yaml');

describe('memory preflight', () => {
  it('passes the shipped configs within 2 GiB', async () => {
    for (const f of ['configs/demo.yaml', 'configs/paper.yaml']) preflightSweep(await loadSweepFile(path(f)), f, new Map(), limit(2 * GiB));
    preflightCell(await loadYamlFile(path('configs/cell-demo.yaml'), CellConfigSchema), 'cell-demo.yaml', limit(2 * GiB));
  });

  it('refuses a CER hidden layer of 10⁸ units, blaming cell.cer.hidden', async () => {
    const file = path('test/fixtures/hostile/cer-hidden-huge.yaml');
    const msg = refusal(() => preflightSweep(parseSweepYaml('study: s\nname: s\ndatasets: [{ source: synthetic, name: tiny }]\nmodels: [cer]\nlambdas: [0]\nepsilonsD: [0.5]\nepsilonsA: [0.5]\nattacks: [fgsm]\nseeds: [0]\ncell: { cer: { hidden: [100000000] } }\n', file), file, new Map(), limit(64 * GiB)));
    expect(msg).toMatch(/cer-hidden-huge\.yaml \(field cell\.cer\.hidden\): expected a cell that fits in 64 GiB of memory \(test\), got an estimated \d+(\.\d)? GiB for a cer cell on dataset tiny/);
  });

  it('refuses 2·10⁹ synthetic users and a dense EFM of 10⁶ × 10⁶, blaming the dataset', () => {
    expect(refusal(() => preflightSweep(sweepWith('[{ source: synthetic, name: big, synthetic: { users: 2000000000 } }]', '[cer]'), 'x.yaml', new Map(), limit(64 * GiB)))).toMatch(
      /x\.yaml \(field datasets\[0\]\.synthetic\.users\): expected a cell that fits/,
    );
    const efm = sweepWith('[{ source: synthetic, name: wide, synthetic: { users: 1000000, items: 1000000 } }]', '[efm]');
    expect(refusal(() => preflightSweep(efm, 'y.yaml', new Map(), limit(64 * GiB)))).toMatch(/\(field datasets\[0\]\.synthetic\.(users|items)\): .*dense users × items/);
  });

  it('REXSWEEP_MAX_CELL_MEMORY sets the limit; a bad value is bad input', () => {
    expect(cellMemoryLimit({ REXSWEEP_MAX_CELL_MEMORY: '8G' }).bytes).toBe(8 * GiB);
    expect(cellMemoryLimit({ REXSWEEP_MAX_CELL_MEMORY: '512MiB' }).bytes).toBe(512 * 2 ** 20);
    expect(cellMemoryLimit({ REXSWEEP_MAX_CELL_MEMORY: '1000' }).bytes).toBe(1000);
    expect(cellMemoryLimit({}).bytes).toBeGreaterThan(0);
    expect(() => cellMemoryLimit({ REXSWEEP_MAX_CELL_MEMORY: 'lots' })).toThrow(/<environment> \(field REXSWEEP_MAX_CELL_MEMORY\): expected a size in bytes/);
  });

  it('the real CLI refuses at plan and cell time with exit 2, before any training', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, REXSWEEP_MAX_CELL_MEMORY: '16G' }, stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
        child.on('close', (code) => resolve({ code, err }));
      });
    const plan = await run(['plan', path('test/fixtures/hostile/cer-hidden-huge.yaml')]);
    expect(plan.code, plan.err).toBe(2);
    expect(plan.err).toMatch(/\(field cell\.cer\.hidden\): expected a cell that fits in 16 GiB of memory \(REXSWEEP_MAX_CELL_MEMORY\)/);
    const cell = await run(['cell', path('test/fixtures/hostile/cell-synthetic-users-huge.yaml')]);
    expect(cell.code, cell.err).toBe(2);
    expect(cell.err).toMatch(/\(field dataset\.synthetic\.users\): expected a cell that fits in 16 GiB/);
  }, 120_000);
});
