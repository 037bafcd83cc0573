/**
 * Command-line flags are bad input too (issue 11 item 5): each bad value below, given to the
 * real CLI, exits 2 with `rexsweep: <command line> (field …): expected …, got …` on stderr, no
 * stack trace, nothing on stdout; the parsers of cli/options.ts are also checked directly.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { choiceOption, intOption, LIMITS, listOption, numberOption, parseBackendOption } from '../../cli/options.ts';
import { MAX_CONCURRENCY } from '../../workflows/sweep-control.ts';
import { InputError } from '../../recsys/errors.ts';

const BIN = fileURLToPath(new URL('../../bin/rexsweep.mjs', import.meta.url));
const CELL = fileURLToPath(new URL('../../configs/cell-demo.yaml', import.meta.url));
const SWEEP = fileURLToPath(new URL('../../configs/demo.yaml', import.meta.url));

function rexsweep(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // No server address: a flag error must come before any server is contacted or started.
    const env = { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', MLFLOW_TRACKING_URI: 'http://127.0.0.1:1' };
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const cases: [args: string[], field: string, got: string][] = [
  [['cell', CELL, '--epochs', '-5'], '--epochs', '-5'],
  [['cell', CELL, '--epochs', 'abc'], '--epochs', 'abc'],
  [['cell', CELL, '--epochs', '0'], '--epochs', '0'],
  [['cell', CELL, '--epochs', '99999999999999999999'], '--epochs', '99999999999999999999'],
  [['cell', CELL, '--epochs', '2.5'], '--epochs', '2.5'],
  [['cell', CELL, '--backend', 'cuda'], '--backend', 'cuda'],
  [['run', SWEEP, '--slots', 'x'], '--slots', 'x'],
  [['run', SWEEP, '--workers', '0'], '--workers', '0'],
  [['run', SWEEP, '--backend', 'cuda'], '--backend', 'cuda'],
  [['worker', '--isolation', 'thread'], '--isolation', 'thread'],
  [['worker', '--roles', 'gpu,cook'], '--roles', 'gpu,cook'],
  [['worker', '--checkpoint-seconds', 'NaN'], '--checkpoint-seconds', 'NaN'],
  [['concurrency', SWEEP, '0'], '<n>', '0'],
  [['report', 'x', '--epsilon', '-1'], '--epsilon', '-1'],
];

describe('bad flags on the real CLI', () => {
  it.each(cases)('rexsweep %j → exit 2, located, no stack', async (args, field, got) => {
    const r = await rexsweep(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`rexsweep: <command line> (field ${field}): expected `);
    expect(r.stderr).toContain(`, got ${got}`);
    expect(r.stderr).not.toMatch(/ZodError|\n\s+at /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a flag without its value is refused by commander, exit 2', async () => {
    const r = await rexsweep(['cell', CELL, '--epochs']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/argument missing/);
  });
});

describe('cli/options.ts parsers', () => {
  const refuses = (f: () => unknown, text: RegExp) => {
    let err: unknown;
    try {
      f();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(text);
  };

  it('accepts what is valid and refuses the rest with where and what', () => {
    const epochs = intOption('--epochs', 1, 1000);
    expect(epochs('5')).toBe(5);
    expect(epochs('+7')).toBe(7);
    for (const bad of ['', ' ', '0', '-1', '1e3', '0x10', '5.0', '1001', 'Infinity', '99999999999999999999']) {
      refuses(() => epochs(bad), /^<command line> \(field --epochs\): expected a whole number from 1 to 1000, got /);
    }
    expect(numberOption('--s')('0.5')).toBe(0.5);
    for (const bad of ['0', '-1', 'NaN', 'Infinity', '1e400', 'abc']) refuses(() => numberOption('--s')(bad), /field --s\): expected a number above 0/);
    expect(choiceOption('--i', ['a', 'b'])('b')).toBe('b');
    refuses(() => choiceOption('--i', ['a', 'b'])('c'), /expected a or b, got c/);
    expect(listOption('--r', ['workflow', 'gpu'])('gpu, workflow')).toEqual(['gpu', 'workflow']);
    for (const bad of ['', 'gpu,gpu', 'cpu']) refuses(() => listOption('--r', ['workflow', 'gpu'])(bad), /field --r\): expected a comma-separated list/);
    expect(parseBackendOption('wasm')).toBe('wasm');
    refuses(() => parseBackendOption('cuda'), /field --backend\): expected .*wasm.*, got cuda/);
  });

  it("the concurrency flag's limit is the workflow's", () => {
    expect(LIMITS.concurrency).toBe(MAX_CONCURRENCY);
  });
});
