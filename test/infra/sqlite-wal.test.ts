/**
 * Both dev servers keep SQLite in WAL mode (bench/RESULTS.md: half the Temporal server's CPU a
 * cell, ~10 % of MLflow's). An SQLite file says its mode in its header: bytes 18 and 19 (the
 * file format's write and read versions) are 2 in WAL mode, 1 with a rollback journal.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { statePaths } from '../../infra/local/paths.ts';
import { setWalMode } from '../../infra/local/sqlite-wal.ts';
import { testServers } from './helpers.ts';

async function headerModes(db: string): Promise<[number, number]> {
  const head = await readFile(db);
  return [head[18], head[19]];
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('SQLite in WAL mode', () => {
  it('the test run\'s Temporal and MLflow databases are in WAL mode', async () => {
    const paths = statePaths(testServers().stateDir);
    expect(await headerModes(paths.temporalDb)).toEqual([2, 2]);
    expect(await headerModes(paths.mlflowDb)).toEqual([2, 2]);
  });

  it('setWalMode creates the file if absent, sets the mode, and is idempotent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rexsweep-wal-'));
    dirs.push(dir);
    const db = join(dir, 'state', 'x.db');
    expect(await setWalMode('python3', db)).toEqual({ mode: 'wal' });
    expect(await headerModes(db)).toEqual([2, 2]);
    expect(await setWalMode('python3', db)).toEqual({ mode: 'wal' });
  });

  it('a file that is not a database is reported, not thrown, and left as it was', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rexsweep-wal-'));
    dirs.push(dir);
    const db = join(dir, 'not.db');
    const text = 'x'.repeat(4096);
    await writeFile(db, text);
    const got = await setWalMode('python3', db);
    expect(got).toMatchObject({ failed: expect.stringMatching(/not a database/) });
    expect(await readFile(db, 'utf8')).toBe(text);
  });
});
