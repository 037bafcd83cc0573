/**
 * `rexsweep dev status|up|down` wired into a commander program, against the test run's servers
 * (process.env points the API at them; see test/setup/servers.ts).
 */
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerDevCommand } from '../../cli/commands/dev.ts';
import { testServers } from './helpers.ts';

const servers = testServers();

async function run(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    const program = new Command().name('rexsweep').exitOverride();
    registerDevCommand(program);
    await program.parseAsync(['node', 'rexsweep', ...args]);
    return { stdout, stderr, exitCode: process.exitCode as number | undefined };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = before;
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('rexsweep dev (real servers)', () => {
  it('status prints addresses, UI links and log paths', async () => {
    const { stdout, exitCode } = await run('dev', 'status');
    expect(exitCode).toBeUndefined();
    expect(stdout).toMatch(/Temporal\s+running \(pid \d+\)/);
    expect(stdout).toContain(`address  ${servers!.temporalAddress}`);
    expect(stdout).toContain(`web UI   ${servers!.temporalUiUrl}`);
    expect(stdout).toMatch(/MLflow\s+running \(pid \d+\)/);
    expect(stdout).toContain(`address  ${servers!.mlflowUri}`);
    expect(stdout).toContain(`log      ${servers!.stateDir}/logs/mlflow.log`);
  }, 30_000);

  it('status --json is one JSON object', async () => {
    const { stdout } = await run('dev', 'status', '--json');
    const parsed = JSON.parse(stdout) as { services: { service: string; healthy: boolean }[] };
    expect(parsed.services.map((s) => [s.service, s.healthy])).toEqual([
      ['temporal', true],
      ['mlflow', true],
    ]);
  }, 30_000);

  it('up --env reuses the running servers and prints export lines', async () => {
    const { stdout, stderr } = await run('dev', 'up', '--env');
    expect(stdout).toBe(`export TEMPORAL_ADDRESS=${servers!.temporalAddress}\nexport MLFLOW_TRACKING_URI=${servers!.mlflowUri}\n`);
    expect(stderr).toContain('temporal: already running');
    expect(stderr).toContain('mlflow: already running');
  }, 60_000);

  it('rejects an unknown service name', async () => {
    await expect(run('dev', 'status', '--only', 'redis')).rejects.toThrow(/--only.*temporal, mlflow, got redis/);
  });
});
