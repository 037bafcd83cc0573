/**
 * Which HTTP server the local MLflow runs under, with how many workers: gunicorn's sync workers by
 * default (bench/RESULTS.md, "MLflow's server"), uvicorn on request. The team stack's MLflow runs
 * under uvicorn (infra/team/mlflow-team.ts), so both servers are exercised by the suite.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../infra/local/index.ts';
import { mlflowStartArgs } from '../../infra/local/mlflow.ts';
import { InputError } from '../../recsys/errors.ts';

const env = (extra: Record<string, string> = {}) => ({ REXSWEEP_STATE_DIR: '/tmp/state', ...extra });
const argAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('the local MLflow server', () => {
  it('runs under gunicorn with two sync workers by default, each request allowed 600 s', () => {
    const config = resolveConfig(env());
    expect(config.mlflow).toMatchObject({ server: 'gunicorn', workers: 2 });
    const args = mlflowStartArgs(config);
    expect(argAfter(args, '--workers')).toBe('2');
    expect(argAfter(args, '--gunicorn-opts')).toBe('--timeout 600');
  });

  it('runs under uvicorn, one worker, when asked', () => {
    const config = resolveConfig(env({ REXSWEEP_MLFLOW_SERVER: 'uvicorn' }));
    expect(config.mlflow).toMatchObject({ server: 'uvicorn', workers: 1 });
    expect(mlflowStartArgs(config)).not.toContain('--gunicorn-opts');
  });

  it('takes an explicit worker count for either server', () => {
    expect(resolveConfig(env({ REXSWEEP_MLFLOW_WORKERS: '3' })).mlflow.workers).toBe(3);
    expect(resolveConfig(env({ REXSWEEP_MLFLOW_SERVER: 'uvicorn', REXSWEEP_MLFLOW_WORKERS: '4' })).mlflow.workers).toBe(4);
  });

  it('refuses an unknown server, naming the variable and what it expects', () => {
    expect(() => resolveConfig(env({ REXSWEEP_MLFLOW_SERVER: 'waitress' }))).toThrow(InputError);
    expect(() => resolveConfig(env({ REXSWEEP_MLFLOW_SERVER: 'waitress' }))).toThrow(/REXSWEEP_MLFLOW_SERVER.*uvicorn or gunicorn/s);
  });
});
