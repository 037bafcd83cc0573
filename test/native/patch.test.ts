/**
 * The binding patch (infra/native/patch.ts): each edit lands once at its anchor, a second run
 * changes nothing, and sources without the anchors (another tfjs-node version) are left exactly as
 * they were, so the build goes on unpatched. Whether the built addon carries the patch is checked
 * where it is loaded (test/backends/native-dense.test.ts: fused dense layer, required in CI).
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BINDING_PATCH, EDITS, patchBinding, patchSources } from '../../infra/native/patch.ts';

/** Minimal sources holding each anchor once, between other lines. */
function pristine(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of EDITS) out[e.file] = `${out[e.file] ?? '// before\n'}${e.anchor}// after ${e.file}\n`;
  return out;
}

describe('patchSources (pure)', () => {
  it('inserts every edit at its anchor, keeping the anchor and the text around it', () => {
    const src = pristine();
    const { sources, outcome } = patchSources(src);
    expect(outcome).toEqual({ applied: true, already: false });
    for (const e of EDITS) {
      expect(sources[e.file]).toContain(e.replacement);
      expect(sources[e.file]).toContain(e.anchor);
      expect(sources[e.file].startsWith('// before\n')).toBe(true);
    }
    expect(sources['binding/tfjs_backend.cc']).toContain('TFE_OpSetAttrStringList');
    expect(sources['binding/tfjs_binding.cc']).toContain(`"REXSWEEP_BINDING_PATCH", ${BINDING_PATCH}`);
  });

  it('is idempotent: patched sources are recognised and returned unchanged', () => {
    const once = patchSources(pristine()).sources;
    const twice = patchSources(once);
    expect(twice.outcome).toEqual({ applied: true, already: true });
    expect(twice.sources).toEqual(once);
  });

  it('leaves sources untouched when an anchor is missing or not unique, and says which file', () => {
    const missing = pristine();
    missing['binding/tfjs_backend.cc'] = '// another tfjs-node\n';
    const r1 = patchSources(missing);
    expect(r1.outcome).toMatchObject({ applied: false, why: expect.stringContaining('binding/tfjs_backend.cc') });
    expect(r1.sources).toEqual(missing);

    const twice = pristine();
    twice['binding/tfjs_binding.cc'] += twice['binding/tfjs_binding.cc'];
    expect(patchSources(twice).outcome).toMatchObject({ applied: false, why: expect.stringContaining('exactly once') });

    const { 'binding/tfjs_binding.cc': _dropped, ...noFile } = pristine();
    expect(patchSources(noFile).outcome).toMatchObject({ applied: false, why: 'binding/tfjs_binding.cc is missing' });
  });
});

describe('patchBinding (files)', () => {
  it('patches a package folder in place once, and logs what it did', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rexsweep-patch-'));
    try {
      await mkdir(join(dir, 'binding'));
      for (const [f, text] of Object.entries(pristine())) await writeFile(join(dir, f), text);
      const log: string[] = [];
      expect(await patchBinding(dir, (m) => log.push(m))).toEqual({ applied: true, already: false });
      const after = await readFile(join(dir, 'binding/tfjs_backend.cc'), 'utf8');
      expect(after).toContain('TFE_OpSetAttrStringList');
      expect(await patchBinding(dir, (m) => log.push(m))).toEqual({ applied: true, already: true });
      expect(await readFile(join(dir, 'binding/tfjs_backend.cc'), 'utf8')).toBe(after);
      expect(log).toEqual([expect.stringContaining('patched (level 1'), 'binding source already patched']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says so and changes nothing in a package without the binding sources', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rexsweep-patch-'));
    try {
      const log: string[] = [];
      expect(await patchBinding(dir, (m) => log.push(m))).toMatchObject({ applied: false });
      expect(log[0]).toMatch(/not applied .*missing.*separate ops/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
