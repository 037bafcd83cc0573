/** What a compute attempt's child process is asked to do (the `start` message's task). */
import type { CellRef, EvaluateInput, RunCellInput } from './contracts.ts';
import type { WorkSettings } from './compute-work.ts';

/** The activity call the child performs. */
export type ComputeCall =
  | { op: 'prepareData'; args: [CellRef] }
  | { op: 'trainCell'; args: [CellRef, string] }
  | { op: 'evaluateCell'; args: [EvaluateInput] }
  | { op: 'runCell'; args: [RunCellInput] };

export type ComputeTask = ComputeCall & {
  settings: WorkSettings;
  /** The previous attempt's last heartbeat details (activityInfo().heartbeatDetails). */
  previous: unknown;
  /** The parent's attempt id (see Attempt.attemptId). */
  attemptId: string;
};
