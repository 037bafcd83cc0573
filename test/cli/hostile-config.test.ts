/**
 * Hostile config files (issue 11 items 7, 8, 9): control characters in names, escape sequences in
 * keys, an empty dataset name, Latin-1 bytes, a device, an oversized file. Each is refused at load
 * with its location; nothing echoed back carries a raw control character.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_CONFIG_BYTES } from '../../recsys/config-text.ts';
import { ConfigError } from '../../recsys/errors.ts';
import { CONTROL_CHARACTER, escapeControl } from '../../recsys/printable.ts';
import { loadSweepFile } from '../../sweep/load.ts';

const BIN = fileURLToPath(new URL('../../bin/rexsweep.mjs', import.meta.url));
const dir = fileURLToPath(new URL('../fixtures/hostile/', import.meta.url));

async function refusal(file: string): Promise<string> {
  const err = await loadSweepFile(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, file).toBeInstanceOf(ConfigError);
  const message = (err as Error).message;
  expect(CONTROL_CHARACTER.test(message.replace(/\n {2}/g, ' ')), message).toBe(false);
  return message;
}

describe('hostile sweep files', () => {
  const cases: [file: string, where: RegExp][] = [
    ['study-nul.yaml', /study-nul\.yaml:1:1 \(field study\): expected a study \(MLflow experiment\) name without control characters .*, got "lab\\u0000notes"/],
    ['study-esc-newline.yaml', /:1:1 \(field study\): expected .* without control characters .*got "lab\\u001b\[31mred\\nFAKE LOG LINE"/],
    ['dataset-name-esc.yaml', /:3:33 \(field datasets\[0\]\.name\): expected a dataset name without control characters/],
    ['dataset-name-empty.yaml', /:3:33 \(field datasets\[0\]\.name\): expected a non-empty dataset name/],
    ['unknown-key-esc.yaml', /:11:1 \(field \\u001b\[2J\\u001b\[Hcleared\): expected only known keys \(is it misspelt\?\), got \\u001b\[2J\\u001b\[Hcleared/],
    ['unknown-key-raw-esc.yaml', /\(field evil\\u001b\[2Jkey\): expected only known keys/],
    ['latin1-study.yaml', /latin1-study\.yaml:1:11: expected UTF-8 text, got the byte 0xe9/],
  ];
  it.each(cases)('%s is refused with its location, escaped', async (file, where) => {
    expect(await refusal(join(dir, file))).toMatch(where);
  });

  it('a device or a folder is refused before a byte is read; an oversized file by its size', async () => {
    expect(await refusal('/dev/zero')).toMatch(/^\/dev\/zero: expected a regular sweep file, got a device, pipe or socket$/);
    expect(await refusal(dir)).toMatch(/expected a regular sweep file, got a folder/);
    const big = join(await mkdtemp(join(tmpdir(), 'rexsweep-big-')), 'big.yaml');
    await writeFile(big, '#'.repeat(MAX_CONFIG_BYTES + 1));
    expect(await refusal(big)).toMatch(new RegExp(`expected a sweep file of at most ${MAX_CONFIG_BYTES} bytes, got ${MAX_CONFIG_BYTES + 1} bytes`));
  });

  it('escapeControl writes every control character as an escape and leaves other text alone', () => {
    expect(escapeControl('a\u0000b\u001b[2J\n\t\u007f\u0085\u2028\u202ez café ✓')).toBe('a\\u0000b\\u001b[2J\\n\\t\\u007f\\u0085\\u2028\\u202ez café ✓');
  });

  it('the real CLI (`plan`) exits 2 and writes no raw escape to the terminal', async () => {
    for (const file of [join(dir, 'unknown-key-raw-esc.yaml'), '/dev/zero']) {
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'plan', file], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
        child.on('close', (code) => resolve({ code, out }));
      });
      expect(r.code, r.out).toBe(2);
      expect(r.out).toMatch(/^rexsweep: /);
      expect(r.out.trimEnd().includes('\u001b')).toBe(false);
    }
  }, 120_000);
});
