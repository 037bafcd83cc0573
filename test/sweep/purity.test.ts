/**
 * Workflow code runs in Temporal's deterministic sandbox, without Node built-ins: the sweep
 * modules it imports (and everything they import, recsys/config.ts included) must not import a
 * `node:` module or any package but zod, nor read the clock or Math.random.
 */
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKFLOW_MODULES = [
  'sweep/schema.ts',
  'sweep/expand.ts',
  'sweep/cell-key.ts',
  'sweep/fingerprint.ts',
  'sweep/canonical.ts',
  'sweep/sha256.ts',
  'sweep/code-version.ts',
  'sweep/plan.ts',
  'sweep/ui-summary.ts',
];
const ALLOWED_PACKAGES = new Set(['zod']);

function importsOf(source: string): string[] {
  const specs: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
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

describe('sweep modules that workflows import', () => {
  const files = closure(WORKFLOW_MODULES);

  it('reach only pure files', () => {
    const reached = [...files.keys()].map((f) => relative(ROOT, f)).sort();
    expect(reached).toContain('recsys/config.ts');
    // recsys/printable.ts: the control-character check of names; recsys/attacks/: the attack
    // registry the schemas take their names and settings from, with the perturbation rules it
    // names (plain arithmetic). All are checked below like the rest.
    // recsys/models/specs.ts and each model's spec.ts and settings: the model registry's pure half.
    const modelSpec = (f: string) => /^recsys\/models\/(specs|model-spec)\.ts$|^recsys\/models\/[a-z]+\/(spec|settings)\.ts$/.test(f);
    const allowed = (f: string) => f.startsWith('sweep/') || f.startsWith('recsys/attacks/') || modelSpec(f) || ['recsys/config.ts', 'recsys/printable.ts', 'recsys/robust/perturb.ts', 'recsys/random.ts', 'recsys/cell/evaluation-plan.ts'].includes(f);
    expect(reached.filter((f) => !allowed(f))).toEqual([]);
    expect(reached).not.toContain('sweep/load.ts');
    expect(reached).not.toContain('sweep/prepared-sizes.ts');
  });

  it('import no node: module and no package but zod', () => {
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
      for (const word of ['Date.now', 'new Date', 'Math.random', 'performance.', 'process.', 'Buffer', 'require(', 'TextEncoder']) {
        if (code.includes(word)) bad.push(`${relative(ROOT, file)} uses ${word}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
