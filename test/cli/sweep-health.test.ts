/** What `run` says beyond the counts (client/sweep-health.ts): retries and MLflow's health. */
import { describe, expect, it } from 'vitest';
import { describeRetries, mlflowAnswers } from '../../client/sweep-health.ts';

describe('sweep health', () => {
  it('describes the first retry and counts the rest', () => {
    expect(describeRetries([])).toBe('');
    expect(describeRetries([{ cell: '0123456789abcdef0123', activity: 'trainCell', attempt: 2, reason: 'a lost worker (heartbeat timeout)' }])).toBe(
      'retrying cell 0123456789ab (trainCell attempt 2: a lost worker (heartbeat timeout))',
    );
    expect(
      describeRetries([
        { activity: 'beginSweep', attempt: 5, reason: 'MLflow unreachable' },
        { cell: 'k', activity: 'finishCell', attempt: 3, reason: 'x' },
      ]),
    ).toBe('retrying sweep bookkeeping (beginSweep attempt 5: MLflow unreachable) +1 more');
  });

  it('knows whether MLflow answers', async () => {
    expect(await mlflowAnswers(process.env.MLFLOW_TRACKING_URI!)).toBe(true);
    expect(await mlflowAnswers('http://127.0.0.1:1')).toBe(false);
  });
});
