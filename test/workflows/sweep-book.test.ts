/**
 * The sweep workflow's bookkeeping, without Temporal: cursor order, skipping settled cells,
 * counts, reruns, extension by key, the carry across continue-as-new, and the caps.
 */
import { describe, expect, it } from 'vitest';
import type { CellSummary } from '../../activities/contracts.ts';
import { expandSweep } from '../../sweep/expand.ts';
import { KEPT_FAILURES, SweepBook } from '../../workflows/sweep-book.ts';
import { sweepOf } from '../sweep/helpers.ts';

const summary = (cellKey: string): CellSummary => ({ cellKey, runId: `run-${cellKey}`, clean: { ndcg5: 0.5, fns: 0.4, f1: 0.3 } });
const unlimited = () => ({ cells: 1_000_000 });

describe('SweepBook', () => {
  const config = sweepOf(); // 2 models × (vanilla + 2 ε_D) × 2 seeds = 12 cells
  const cells = expandSweep(config);

  it('hands out cells in expansion order and counts them', () => {
    const book = new SweepBook(config);
    expect(book.counts()).toEqual({ pending: 12, running: 0, finished: 0, cached: 0, failed: 0, cancelled: 0 });
    const a = book.next(unlimited())!;
    const b = book.next(unlimited())!;
    expect([a.cell.key, b.cell.key]).toEqual([cells[0].key, cells[1].key]);
    book.settle(a.cell, 'finished', { summary: summary(a.cell.key) });
    book.settle(b.cell, 'failed', { reason: 'DivergenceError: loss NaN' });
    expect(book.counts()).toEqual({ pending: 10, running: 0, finished: 1, cached: 0, failed: 1, cancelled: 0 });
    expect(book.keptFailures().failures).toEqual([{ cellKey: b.cell.key, index: 1, reason: 'DivergenceError: loss NaN' }]);
  });

  it('stops computing cells when the task budget runs out, and goes on from there', () => {
    const book = new SweepBook(config);
    const budget = { cells: 2 };
    expect(book.next(budget)?.cell.index).toBe(0);
    expect(book.next(budget)?.cell.index).toBe(1);
    expect(book.next(budget)).toBeUndefined();
    expect(book.hasWork()).toBe(true);
    expect(book.next(unlimited())?.cell.index).toBe(2);
  });

  it('carries settled cells across continue-as-new and skips them', () => {
    const book = new SweepBook(config);
    for (let i = 0; i < 5; i++) {
      const { cell } = book.next(unlimited())!;
      book.settle(cell, i === 3 ? 'failed' : 'finished', i === 3 ? { reason: 'x' } : { summary: summary(cell.key) });
    }
    const carried = JSON.parse(JSON.stringify(book.carry()));
    const next = new SweepBook(config, carried);
    expect(next.counts()).toEqual(book.counts());
    expect(next.next(unlimited())?.cell.index).toBe(5);
    expect(next.keptSummaries().summaries).toHaveLength(4);
  });

  it('refuses to carry while cells run', () => {
    const book = new SweepBook(config);
    book.next(unlimited());
    expect(() => book.carry()).toThrow(/1 cells running/);
  });

  it('queues failed and cancelled cells to rerun, with the restart mode, before new cells', () => {
    const book = new SweepBook(config);
    const a = book.next(unlimited())!.cell;
    const b = book.next(unlimited())!.cell;
    book.settle(a, 'failed', { reason: 'boom' });
    book.settle(b, 'cancelled', { reason: 'cancelled by the user' });
    expect(book.queueReruns('scratch')).toBe(2);
    expect(book.queueReruns('scratch')).toBe(0); // queued once
    const first = book.next(unlimited())!;
    expect(first).toMatchObject({ cell: { key: a.key }, restart: 'scratch' });
    expect(book.counts()).toMatchObject({ running: 1, failed: 0, cancelled: 1 });
    expect(book.next(unlimited())).toMatchObject({ cell: { key: b.key }, restart: 'scratch' });
    expect(book.next(unlimited())?.cell.index).toBe(2);
  });

  it('extends the grid keeping settled cells by key; a queued rerun survives the new order', () => {
    const book = new SweepBook(config);
    const done: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { cell } = book.next(unlimited())!;
      book.settle(cell, i === 0 ? 'failed' : 'finished', i === 0 ? { reason: 'x' } : { summary: summary(cell.key) });
      done.push(cell.key);
    }
    book.queueReruns('checkpoint');
    const bigger = sweepOf({ lambdas: [0, 0.5, 0.9] }); // 2 × (1 + 2·2) × 2 = 20 cells
    expect(book.extend(bigger)).toEqual({ added: 8 });
    const started: string[] = [];
    for (let n; (n = book.next(unlimited())); ) {
      started.push(n.cell.key);
      book.settle(n.cell, 'finished', { summary: summary(n.cell.key) });
    }
    const all = expandSweep(bigger).map((c) => c.key);
    // Every cell of the bigger grid ran exactly once in all, the failed one again.
    expect(new Set([...done.slice(1), ...started])).toEqual(new Set(all));
    expect(started).toContain(done[0]);
    expect(started.filter((k) => done.slice(1).includes(k))).toEqual([]);
    expect(book.counts()).toEqual({ pending: 0, running: 0, finished: 20, cached: 0, failed: 0, cancelled: 0 });
  });

  it('an extension that adds evaluations sends every finished cell round again, running ones once they settle', () => {
    const book = new SweepBook(config);
    const settled = [0, 1, 2].map(() => book.next(unlimited())!.cell);
    book.settle(settled[0], 'finished', { summary: summary(settled[0].key) });
    book.settle(settled[1], 'cached', { summary: summary(settled[1].key) });
    book.settle(settled[2], 'failed', { reason: 'x' });
    // Past the end of the grid, with the last cell still running.
    const rest: typeof cells = [];
    for (let n; (n = book.next(unlimited())); ) rest.push(n.cell);
    for (const c of rest.slice(0, -1)) book.settle(c, 'finished', { summary: summary(c.key) });
    const running = rest[rest.length - 1];
    const more = sweepOf({ epsilonsA: [...config.epsilonsA, 2] });
    expect(book.extend(more, { reevaluate: true })).toEqual({ added: 0 });
    // Everything but the failed cell and the running one is pending again.
    expect(book.counts()).toEqual({ pending: 10, running: 1, finished: 0, cached: 0, failed: 1, cancelled: 0 });
    const again: string[] = [];
    for (let n; (n = book.next(unlimited())); ) {
      again.push(n.cell.key);
      expect(n.cell.config.epsilonsA).toEqual(more.epsilonsA);
      book.settle(n.cell, 'finished', { summary: summary(n.cell.key) });
    }
    expect(again).toHaveLength(10);
    expect(again).not.toContain(running.key);
    // The running cell settles with its old evaluations: it is owed a pass of its own.
    book.settle(running, 'finished', { summary: summary(running.key) });
    expect(book.hasWork()).toBe(true);
    const carried = new SweepBook(more, JSON.parse(JSON.stringify(book.carry())));
    const last = carried.next(unlimited())!;
    expect(last.cell.key).toBe(running.key);
    carried.settle(last.cell, 'finished', { summary: summary(last.cell.key) });
    expect(carried.next(unlimited())).toBeUndefined();
    expect(carried.hasWork()).toBe(false);
    expect(carried.counts()).toEqual({ pending: 0, running: 0, finished: 11, cached: 0, failed: 1, cancelled: 0 });
  });

  it('keeps at most KEPT_FAILURES failures and counts the rest', () => {
    const big = sweepOf({ seeds: Array.from({ length: 40 }, (_, i) => i) }); // 240 cells
    const book = new SweepBook(big);
    for (let n; (n = book.next(unlimited())); ) book.settle(n.cell, 'failed', { reason: 'x' });
    expect(book.keptFailures().failures).toHaveLength(KEPT_FAILURES);
    expect(book.keptFailures().dropped).toBe(240 - KEPT_FAILURES);
    expect(book.counts().failed).toBe(240);
  });
});
