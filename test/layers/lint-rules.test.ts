/**
 * The layer rules of eslint.config.js bite: each snippet below breaks one, at a path in the layer
 * it would break, and must be reported (the real tree passing `npm run lint` proves the other half).
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

async function problems(path: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: `${ROOT}/${path}` });
  return r.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layer rules', () => {
  it('recsys/ may not import the tracker or Temporal', async () => {
    expect(await problems('recsys/x.ts', "import { MlflowClient } from '../tracking/index.ts';\nexport const a = MlflowClient;\n")).toEqual([expect.stringMatching(/no-restricted-imports: .*recsys\/ imports nothing above it/)]);
    expect(await problems('recsys/models/x.ts', "import { Client } from '@temporalio/client';\nexport const a = Client;\n")).toEqual([expect.stringMatching(/Temporal belongs to/)]);
  });

  it('sweep/ is pure', async () => {
    expect(await problems('sweep/x.ts', "import { readFile } from 'node:fs/promises';\nexport const a = readFile;\n")).toEqual([expect.stringMatching(/sweep\/ is pure/)]);
  });

  it('workflows/ take activity types only, no Node built-ins, and no floating promises', async () => {
    expect(await problems('workflows/sweep.ts', "import type { CellRef } from '../activities/contracts.ts';\nexport type A = CellRef;\n")).toEqual([]);
    expect(await problems('workflows/sweep.ts', "import { createComputeWork } from '../activities/compute-work.ts';\nexport const a = createComputeWork;\n")).toEqual([expect.stringMatching(/types only/)]);
    expect(await problems('workflows/sweep.ts', "import { randomUUID } from 'node:crypto';\nexport const a = randomUUID;\n")).toEqual([expect.stringMatching(/deterministic/)]);
    expect(await problems('workflows/sweep.ts', 'export async function f(g: () => Promise<void>): Promise<void> {\n  g();\n}\n')).toEqual([expect.stringMatching(/no-floating-promises/)]);
  });

  it('bench/ never imports test files or the CLI; client/ never the CLI', async () => {
    expect(await problems('bench/x/y.ts', "import { h } from '../../test/orchestration/harness.ts';\nexport const a = h;\n")).toEqual([expect.stringMatching(/never test files/)]);
    expect(await problems('client/x.ts', "import { ProgressLine } from '../cli/format/progress-line.ts';\nexport const a = ProgressLine;\n")).toEqual([expect.stringMatching(/client\/ must not import the CLI/)]);
  });

  it('activities/, report/ and client/ take a Tracker: they never construct the MLflow client', async () => {
    const construct = "import { MlflowClient } from '../tracking/index.ts';\nexport const m = new MlflowClient({ trackingUri: 'http://127.0.0.1:5000' });\n";
    for (const path of ['activities/x.ts', 'report/x.ts', 'client/x.ts']) expect(await problems(path, construct)).toEqual([expect.stringMatching(/no-restricted-syntax: take a Tracker/)]);
    expect(await problems('worker/x.ts', construct)).toEqual([]);
  });
});
