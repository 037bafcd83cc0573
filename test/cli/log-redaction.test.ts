/** Worker WARN lines (client/log-redaction.ts): no task token, no stack trace, one line. */
import { describe, expect, it } from 'vitest';
import { createLogSink, formatLogLine } from '../../client/log-redaction.ts';

describe('formatLogLine', () => {
  it('drops task tokens and stacks, keeps what says where', () => {
    const err = new Error('cell failed: boom\nsecond line');
    const line = formatLogLine({
      level: 'WARN',
      message: 'Activity failed\n    at stack frame',
      timestampNanos: 1_700_000_000_000_000_000n,
      meta: {
        taskToken: 'CiQ5YzA0ZTNmMS1TASKTOKEN',
        activityType: 'trainCell',
        attempt: 3,
        error: err,
        nested: { workflowId: 'w1', taskToken: 'NESTEDTOKEN' },
        raw: new Uint8Array([1, 2, 3]),
      },
    });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trimEnd().includes('\n')).toBe(false);
    expect(line).not.toMatch(/TASKTOKEN|NESTEDTOKEN|stack frame|second line|\bat /);
    expect(line).toContain('2023-11-14T22:13:20.000Z [WARN] Activity failed');
    expect(line).toContain('activityType="trainCell"');
    expect(line).toContain('attempt=3');
    expect(line).toContain('error="Error: cell failed: boom"');
    expect(line).toContain('"workflowId":"w1"');
    expect(line).toContain('raw=<3 bytes>');
  });

  it('says a retried gRPC call once a minute per call, everything else always', () => {
    const out: string[] = [];
    let t = 0;
    const sink = createLogSink((l) => out.push(l), () => t);
    const retry = (call: string, n: number) => sink({ level: 'WARN', message: `gRPC call ${call} retried ${n} times` });
    retry('poll_activity_task_queue', 5);
    retry('poll_activity_task_queue', 6);
    retry('respond_activity_task_completed', 5);
    sink({ level: 'WARN', message: 'Network error while completing activity' });
    sink({ level: 'WARN', message: 'Network error while completing activity' });
    t = 61_000;
    retry('poll_activity_task_queue', 9);
    expect(out.map((l) => l.replace(/^\S+ /, ''))).toEqual([
      '[WARN] gRPC call poll_activity_task_queue retried 5 times\n',
      '[WARN] gRPC call respond_activity_task_completed retried 5 times\n',
      '[WARN] Network error while completing activity\n',
      '[WARN] Network error while completing activity\n',
      '[WARN] gRPC call poll_activity_task_queue retried 9 times\n',
    ]);
  });
});
