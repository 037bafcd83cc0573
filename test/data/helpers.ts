/** Shared helpers of the data tests (no test cases here). */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { onTestFinished } from 'vitest';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DataSettingsSchema, type ResolvedDataSettings } from '../../recsys/config.ts';
import type { ReviewRow } from '../../recsys/data/rows.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/data/', import.meta.url));
export const fixture = (name: string) => join(FIXTURES, name);

/** A fresh directory under the OS temp dir, removed when the calling test finishes. */
export async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `rexsweep-${label}-`));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Awaits a promise that must reject, and returns the error. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

export function settings(overrides: Partial<ResolvedDataSettings> = {}): ResolvedDataSettings {
  return { ...DataSettingsSchema.parse({}), userThresh: 10, featureThresh: 5, ...overrides };
}

/** A row built by hand: triplets as "feature+" / "feature-". */
export function row(user: string, item: string, feats: string[], extra: Partial<ReviewRow> = {}, line = 0): ReviewRow {
  return {
    user,
    item,
    triplets: feats.map((f) => [f.slice(0, -1), 'ok', f.endsWith('+') ? 1 : -1]),
    source: { file: 'mem', line },
    ...extra,
  };
}

/** relative path → sha256 of every file under dir. */
export async function hashTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    out[relative(dir, p)] = createHash('sha256').update(await readFile(p)).digest('hex');
  }
  return out;
}
