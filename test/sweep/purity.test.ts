/**
 * Workflow code runs in Temporal's deterministic sandbox, without Node built-ins: every module
 * the workflow bundle reaches from workflows/index.ts must not import a `node:` module or any
 * package but the Temporal SDK's, nor read the clock or Math.random. Nor zod: Temporal's reusable
 * V8 context evaluates every module of the bundle again for each workflow execution, and zod with
 * the config schemas cost ~17 ms of worker CPU a workflow (bench/RESULTS.md); the schemas'
 * pure halves (recsys/config-resolve.ts, the defaults.ts files) are what workflows import.
 */
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKFLOW_ROOTS = ['workflows/index.ts'];
const ALLOWED_PACKAGES = new Set(['@temporalio/workflow', '@temporalio/common']);

/** Runtime imports only: `import type` and `export type` are erased and load nothing. */
function importsOf(source: string): string[] {
  const specs: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s(?!type\s)[^;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(re)) specs.push(m[1] ?? m[2] ?? m[3]);
  return specs;
}

/** Every file reachable by relative imports from the roots, with what each imports. */
function closure(roots: string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const todo = roots.map((r) => join(ROOT, r));
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    const specs = importsOf(readFileSync(file, 'utf8'));
    seen.set(file, specs);
    for (const s of specs) if (s.startsWith('.')) todo.push(join(dirname(file), s));
  }
  return seen;
}

describe('modules that workflows import', () => {
  const files = closure(WORKFLOW_ROOTS);

  it('reach only pure files, and no schema', () => {
    const reached = [...files.keys()].map((f) => relative(ROOT, f)).sort();
    expect(reached).toContain('sweep/expand.ts');
    expect(reached).toContain('sweep/cell-identity.ts');
    // recsys/: the pure halves of the cell config (config-resolve.ts, the defaults.ts files), the
    // model registry's specs, and the evaluation plan.
    const recsys = (f: string) =>
      /^recsys\/models\/(specs|model-spec)\.ts$|^recsys\/models\/[a-z]+\/(spec|defaults)\.ts$|^recsys\/attacks\/(pgd\/)?defaults\.ts$/.test(f) ||
      ['recsys/config-resolve.ts', 'recsys/cell/evaluation-plan.ts'].includes(f);
    const allowed = (f: string) => f.startsWith('workflows/') || f.startsWith('sweep/') || recsys(f);
    expect(reached.filter((f) => !allowed(f))).toEqual([]);
    for (const schema of ['recsys/config.ts', 'sweep/schema.ts', 'sweep/cell-key.ts', 'sweep/load.ts', 'sweep/prepared-sizes.ts']) expect(reached).not.toContain(schema);
  });

  it('import no node: module, no zod, no package but the Temporal SDK', () => {
    const bad: string[] = [];
    for (const [file, specs] of files) {
      for (const s of specs) {
        if (s.startsWith('.')) continue;
        const builtin = s.startsWith('node:') || builtinModules.includes(s.split('/')[0]);
        if (builtin || !ALLOWED_PACKAGES.has(s)) bad.push(`${relative(ROOT, file)} imports ${s}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('use no clock, randomness or Node globals', () => {
    const bad: string[] = [];
    for (const file of files.keys()) {
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      // Inside workflows/ the sandbox makes the clock and Math.random deterministic (workflow
      // time, a seeded generator); the pure modules they call must not depend on either.
      const clock = relative(ROOT, file).startsWith('workflows/') ? [] : ['Date.now', 'new Date', 'Math.random'];
      for (const word of [...clock, 'performance.', 'process.', 'Buffer', 'require(', 'TextEncoder']) {
        if (code.includes(word)) bad.push(`${relative(ROOT, file)} uses ${word}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
