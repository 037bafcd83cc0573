/**
 * runCell's composition (activities/cell-run.ts): train once, evaluate the plan in order, carry
 * what is done on every heartbeat, resume from it, and return terminal failures after training.
 * The steps are scripted here; the real steps run in the orchestration and drill tests.
 */
import { describe, expect, it } from 'vitest';
import { runCellWith, TERMINAL_ERRORS, type CellRunProgress } from '../../activities/cell-run.ts';
import type { AttemptIo, ComputeWork } from '../../activities/compute-work.ts';
import type { EvaluateInput, RunCellInput, TrainedRef } from '../../activities/contracts.ts';
import { noopRow, noopTrained } from '../../activities/noop-cells.ts';
import { DivergenceError, InputError } from '../../recsys/errors.ts';
import { NON_RETRYABLE } from '../../workflows/activity-options.ts';

const plan: RunCellInput['plan'] = [
  { attack: 'none', epsilon: 0 },
  { attack: 'fgsm', epsilon: 0.5 },
  { attack: 'random', epsilon: 0.5 },
];
const input = { ref: { cellKey: 'k' }, runId: 'r', plan } as unknown as RunCellInput;
const trained: TrainedRef = { ...noopTrained('w'), modelArtifact: 'model/a1/state.rxm', losses: [0.7, 0.5] };

function scripted(opts: { failAt?: { step: number; error: Error } } = {}) {
  const calls: string[] = [];
  const evaluated: EvaluateInput[] = [];
  const work: Pick<ComputeWork, 'trainCell' | 'evaluateCell'> = {
    async trainCell(_ref, _runId, io) {
      calls.push(`train(previous checkpoint ${(io.previous() as { checkpoint?: string } | undefined)?.checkpoint ?? '-'})`);
      io.heartbeat({ phase: 'train', epoch: 1, epochs: 2, loss: 0.7 });
      return trained;
    },
    async evaluateCell(e, io) {
      const k = evaluated.length;
      evaluated.push(e);
      calls.push(`evaluate ${e.attack}@${e.epsilon}`);
      if (opts.failAt?.step === k) throw opts.failAt.error;
      io.heartbeat({ phase: 'evaluate', attack: e.attack, epsilon: e.epsilon });
      return { ...noopRow(e), explanationsArtifact: `explanations/a1/${e.attack}-${e.epsilon}.json` };
    },
  };
  return { work, calls, evaluated };
}

function attempt(previous?: unknown) {
  const beats: Array<Record<string, unknown> & { cell: CellRunProgress }> = [];
  const io: AttemptIo = { heartbeat: (d) => beats.push(structuredClone(d) as never), previous: () => previous, log: () => {}, attemptId: 'a1' };
  return { io, beats };
}

describe('runCell', () => {
  it('trains once, then evaluates the plan in order with the clean explanations as reference', async () => {
    const { work, calls, evaluated } = scripted();
    const { io, beats } = attempt();
    const run = await runCellWith(work, input, io);
    expect(calls).toEqual(['train(previous checkpoint -)', 'evaluate none@0', 'evaluate fgsm@0.5', 'evaluate random@0.5']);
    expect(evaluated[0].cleanExplanations).toBeUndefined();
    expect(evaluated.slice(1).map((e) => e.cleanExplanations)).toEqual(['explanations/a1/none-0.json', 'explanations/a1/none-0.json']);
    // The model passed on is the path only; the curve stays with the workflow.
    expect(evaluated[1].trained).toEqual(expect.not.objectContaining({ losses: expect.anything() }));
    expect(run.trained).toEqual(trained);
    expect(run.rows.map((r) => `${r.attack}@${r.epsilon}`)).toEqual(['none@0', 'fgsm@0.5', 'random@0.5']);
    expect(run.failure).toBeUndefined();
    // Every heartbeat carries what is done so far: a training one has no model yet, the last has everything.
    expect(beats[0]).toMatchObject({ phase: 'train', cell: { rows: [] } });
    expect(beats[0].cell.trained).toBeUndefined();
    expect(beats.at(-1)!.cell.trained).toEqual(trained);
    expect(beats.at(-1)!.cell.rows).toHaveLength(3);
  });

  it('resumes after the last step the previous attempt reported: no training, only the evaluations left', async () => {
    const first = scripted({ failAt: { step: 1, error: new Error('worker lost') } });
    const one = attempt();
    await expect(runCellWith(first.work, input, one.io)).rejects.toThrow('worker lost');
    const last = one.beats.at(-1);
    expect(last?.cell.rows).toHaveLength(1);

    const second = scripted();
    const run = await runCellWith(second.work, input, attempt(last).io);
    expect(second.calls).toEqual(['evaluate fgsm@0.5', 'evaluate random@0.5']);
    expect(second.evaluated[0].cleanExplanations).toBe('explanations/a1/none-0.json');
    expect(run.rows.map((r) => r.attack)).toEqual(['none', 'fgsm', 'random']);
    expect(run.trained).toEqual(trained);
  });

  it('hands a training checkpoint on to the training step when the previous attempt died training', async () => {
    const { work, calls } = scripted();
    await runCellWith(work, input, attempt({ phase: 'train', epoch: 3, checkpoint: 'checkpoints/epoch-3.rxm', checkpointEpoch: 3, cell: { rows: [] } }).io);
    expect(calls[0]).toBe('train(previous checkpoint checkpoints/epoch-3.rxm)');
  });

  it('returns a terminal failure after training with the model and the rows so far; other errors are thrown for a retry', async () => {
    const bad = new InputError({ file: 'cell k', field: 'epsilonsA' }, 'a finite ε_A', 'NaN');
    const { work } = scripted({ failAt: { step: 2, error: bad } });
    const run = await runCellWith(work, input, attempt().io);
    expect(run.failure).toEqual({ type: 'InputError', message: bad.message });
    expect(run.trained).toEqual(trained);
    expect(run.rows).toHaveLength(2);

    const diverged = scripted({ failAt: { step: 0, error: new DivergenceError('cer', 3, Number.NaN) } });
    expect((await runCellWith(diverged.work, input, attempt().io)).failure?.type).toBe('DivergenceError');

    const flaky = scripted({ failAt: { step: 0, error: new TypeError('fetch failed') } });
    await expect(runCellWith(flaky.work, input, attempt().io)).rejects.toThrow('fetch failed');
  });

  it('treats as terminal exactly errors the workflow never retries', () => {
    for (const E of TERMINAL_ERRORS) expect(NON_RETRYABLE).toContain(E.name);
  });
});
