/**
 * The sweep workflow's bookkeeping, apart from Temporal: which cells are settled, which run, which
 * come next, and the counts the progress query and the search attributes show. Pure (no Temporal
 * import), so it is unit-tested directly, and small enough to carry across continue-as-new.
 *
 * Cells are started in expansion order through a cursor, computing each cell (config and key)
 * only when it is reached: a 10,000-cell grid is never expanded at once inside a workflow task.
 * Settled cells are remembered by key, so an extended grid (a new expansion order) skips them.
 */
import type { CellSummary } from '../activities/contracts.ts';
import { cellAt, countCells, type SweepCell } from '../sweep/expand.ts';
import type { SweepConfig } from '../sweep/schema.ts';

export type CellState = 'pending' | 'running' | 'finished' | 'cached' | 'failed' | 'cancelled';
export type SettledState = Exclude<CellState, 'pending' | 'running'>;
export type Restart = 'checkpoint' | 'scratch';

/** Failures and summaries kept in the workflow (and its progress) are capped; MLflow has all. */
export const KEPT_SUMMARIES = 200;
export const KEPT_FAILURES = 200;

const CODE: Record<SettledState, string> = { finished: 'f', cached: 'c', failed: 'x', cancelled: 'k' };
const STATE_OF: Record<string, SettledState> = { f: 'finished', c: 'cached', x: 'failed', k: 'cancelled' };

export interface CellFailure {
  cellKey: string;
  /** The cell's index in the current expansion (to rerun it without searching). */
  index: number;
  reason: string;
}

/** What a sweep workflow run hands to the next one (continue-as-new): JSON, a few hundred kB at 10k cells. */
export interface SweepBookCarry {
  /** Settled cells: key → one-letter state. */
  settled: Record<string, string>;
  cursor: number;
  /** Failed or cancelled cells queued to run again, before the cursor's next cell. */
  reruns: { index: number; key: string; restart: Restart }[];
  /** Reruns queued before an extension, by key: they start when the cursor reaches them. */
  rerunKeys: Record<string, Restart>;
  summaries: CellSummary[];
  failures: CellFailure[];
  summariesDropped: number;
  failuresDropped: number;
  /** An extension's re-evaluations: cells that settled after the cursor passed them (see extend). */
  rescan?: boolean;
}

export type Counts = Record<CellState, number>;

export class SweepBook {
  private config: SweepConfig;
  private total: number;
  private readonly settled: Map<string, SettledState>;
  private readonly settledCounts: Record<SettledState, number> = { finished: 0, cached: 0, failed: 0, cancelled: 0 };
  private readonly running = new Map<string, SweepCell>();
  private cursor: number;
  private reruns: SweepBookCarry['reruns'];
  private readonly rerunKeys: Map<string, Restart>;
  private summaries: CellSummary[];
  private failures: CellFailure[];
  private summariesDropped: number;
  private failuresDropped: number;
  /** Cells running when an extension added evaluations: when they settle they go round again. */
  private readonly stale = new Set<string>();
  /** One more pass of the cursor is owed to stale cells that settled behind it. */
  private rescan: boolean;

  constructor(config: SweepConfig, carry?: SweepBookCarry) {
    this.config = config;
    this.total = countCells(config);
    this.settled = new Map();
    for (const [key, code] of Object.entries(carry?.settled ?? {})) {
      const state = STATE_OF[code];
      if (!state) throw new Error(`carried state of cell ${key} is ${JSON.stringify(code)}, not one of ${Object.keys(STATE_OF).join('')}`);
      this.settled.set(key, state);
      this.settledCounts[state]++;
    }
    this.cursor = carry?.cursor ?? 0;
    this.reruns = carry?.reruns ?? [];
    this.rerunKeys = new Map(Object.entries(carry?.rerunKeys ?? {}));
    this.summaries = carry?.summaries ?? [];
    this.failures = carry?.failures ?? [];
    this.summariesDropped = carry?.summariesDropped ?? 0;
    this.failuresDropped = carry?.failuresDropped ?? 0;
    this.rescan = carry?.rescan ?? false;
  }

  get sweep(): SweepConfig {
    return this.config;
  }

  counts(): Counts {
    const running = this.running.size;
    const settled = Object.values(this.settledCounts).reduce((a, b) => a + b, 0);
    // Reruns wait in the queue but are still counted as failed/cancelled until they start.
    return { pending: this.total - running - settled, running, ...this.settledCounts };
  }

  get cellCount(): number {
    return this.total;
  }

  get inFlight(): number {
    return this.running.size;
  }

  /** Cells not yet settled or running: the cursor has not reached them, or they wait to rerun. */
  hasWork(): boolean {
    return this.reruns.length > 0 || this.cursor < this.total || this.rescan;
  }

  /**
   * The next cell to start, skipping settled ones, or undefined when there is none. At most
   * `budget.cells` cells are computed per call chain: the caller yields when it runs out, so one
   * workflow task never computes thousands of keys.
   */
  next(budget: { cells: number }): { cell: SweepCell; restart?: Restart } | undefined {
    while (this.reruns.length > 0) {
      const r = this.reruns.shift()!;
      budget.cells--;
      const cell = cellAt(this.config, r.index);
      if (cell.key !== r.key) throw new Error(`rerun of cell ${r.key}: index ${r.index} now holds ${cell.key}`);
      this.unsettle(cell.key);
      this.running.set(cell.key, cell);
      return { cell, restart: r.restart };
    }
    // Once no stale cell runs, one pass over the grid for those that settled behind the cursor.
    if (this.cursor >= this.total && this.rescan && this.stale.size === 0) {
      this.cursor = 0;
      this.rescan = false;
    }
    while (this.cursor < this.total && budget.cells > 0) {
      const cell = cellAt(this.config, this.cursor++);
      budget.cells--;
      if (this.settled.has(cell.key)) {
        const restart = this.rerunKeys.get(cell.key);
        if (restart === undefined) {
          this.locateFailure(cell);
          continue;
        }
        this.rerunKeys.delete(cell.key);
        this.unsettle(cell.key);
        this.running.set(cell.key, cell);
        return { cell, restart };
      }
      if (this.running.has(cell.key)) continue;
      this.running.set(cell.key, cell);
      return { cell };
    }
    return undefined;
  }

  settle(cell: SweepCell, state: SettledState, detail: { summary?: CellSummary; reason?: string } = {}): void {
    this.running.delete(cell.key);
    if (this.stale.delete(cell.key) && (state === 'finished' || state === 'cached')) {
      // Finished with the evaluations it was started with: pending again, for the ones added since.
      this.rescan = true;
      return;
    }
    this.settled.set(cell.key, state);
    this.settledCounts[state]++;
    this.failures = this.failures.filter((f) => f.cellKey !== cell.key);
    if (detail.summary) {
      this.summaries.push(detail.summary);
      if (this.summaries.length > KEPT_SUMMARIES) {
        this.summaries.shift();
        this.summariesDropped++;
      }
    }
    if (detail.reason !== undefined) {
      this.failures.push({ cellKey: cell.key, index: cell.index, reason: detail.reason });
      if (this.failures.length > KEPT_FAILURES) {
        this.failures.shift();
        this.failuresDropped++;
      }
    }
  }

  /**
   * Queue the failed (and cancelled) cells whose index is known to run again. Returns how many.
   * Failures beyond the kept list, or not yet located after an extension, are not queued: a
   * later `rexsweep run` retries those.
   */
  queueReruns(restart: Restart): number {
    let n = 0;
    const queued = new Set([...this.reruns.map((r) => r.key), ...this.rerunKeys.keys()]);
    for (const f of this.failures) {
      if (queued.has(f.cellKey) || this.running.has(f.cellKey)) continue;
      const state = this.settled.get(f.cellKey);
      if ((state !== 'failed' && state !== 'cancelled') || f.index < 0) continue;
      this.reruns.push({ index: f.index, key: f.cellKey, restart });
      n++;
    }
    return n;
  }

  /**
   * A larger grid with the same fixed settings (the caller checked). Settled cells keep their
   * state by key; the cursor starts over in the new expansion order and skips them. Failure
   * indices are of the old order: they are forgotten, and found again as the cursor passes.
   *
   * `reevaluate` (the extension added ε_A values or attacks): finished and cached cells are
   * pending again, so that the cursor reaches them and their stored models get the new
   * evaluations; cells running now go round again once they settle.
   */
  extend(config: SweepConfig, opts: { reevaluate?: boolean } = {}): { added: number } {
    const before = this.total;
    if (opts.reevaluate) {
      for (const [key, state] of [...this.settled]) if (state === 'finished' || state === 'cached') this.unsettle(key);
      for (const key of this.running.keys()) this.stale.add(key);
    }
    this.config = config;
    this.total = countCells(config);
    this.cursor = 0;
    for (const r of this.reruns) this.rerunKeys.set(r.key, r.restart);
    this.reruns = [];
    this.failures = this.failures.map((f) => ({ ...f, index: -1 }));
    return { added: this.total - before };
  }

  /** After an extension, a failed cell gets its new index back when the cursor passes it. */
  private locateFailure(cell: SweepCell): void {
    const f = this.failures.find((x) => x.cellKey === cell.key);
    if (f) f.index = cell.index;
  }

  /** A cell that runs again is no longer settled. */
  private unsettle(key: string): void {
    const state = this.settled.get(key);
    if (state) {
      this.settled.delete(key);
      this.settledCounts[state]--;
    }
    this.failures = this.failures.filter((f) => f.cellKey !== key);
  }

  runningCells(): SweepCell[] {
    return [...this.running.values()];
  }

  keptSummaries(): { summaries: CellSummary[]; dropped: number } {
    return { summaries: this.summaries.slice(), dropped: this.summariesDropped };
  }

  keptFailures(): { failures: CellFailure[]; dropped: number } {
    return { failures: this.failures.slice(), dropped: this.failuresDropped };
  }

  /** The state to continue as new with; only between cells (nothing running). */
  carry(): SweepBookCarry {
    if (this.running.size > 0) throw new Error(`cannot carry a sweep with ${this.running.size} cells running`);
    const settled: Record<string, string> = {};
    for (const [key, state] of this.settled) settled[key] = CODE[state];
    return {
      settled,
      cursor: this.cursor,
      reruns: this.reruns.slice(),
      rerunKeys: Object.fromEntries(this.rerunKeys),
      summaries: this.summaries.slice(),
      failures: this.failures.slice(),
      summariesDropped: this.summariesDropped,
      failuresDropped: this.failuresDropped,
      ...(this.rescan ? { rescan: true } : {}),
    };
  }
}
