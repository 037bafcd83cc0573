/**
 * What crosses the Temporal boundary between workflows and activities: ids, URIs, small
 * numbers. Never tensors or datasets (DESIGN.md "Small histories"). Types only, so workflow
 * code can import this file.
 */
import type { CellConfig } from '../recsys/config.ts';
import type { AttackKind, CellResult, EvaluationRow } from '../recsys/cell/result.ts';

export interface SweepRef {
  sweepId: string;
  study: string;
  /** Sweep workflow id, recorded on every run. */
  workflowId: string;
}

export interface SweepTracking {
  experimentId: string;
  parentRunId: string;
}

export interface CellRef {
  sweep: SweepRef;
  tracking: SweepTracking;
  cellKey: string;
  cell: CellConfig;
  /** The cell workflow's id (tag on the cell's run). */
  workflowId: string;
  /**
   * Where training starts when no attempt of this activity left a checkpoint on its heartbeat:
   * 'checkpoint' (default) resumes from the latest checkpoint in the run's artifacts (a failed
   * cell rerun), 'scratch' ignores every checkpoint and trains from epoch 0.
   */
  restart?: 'checkpoint' | 'scratch';
}

export interface BeginCellResult {
  runId: string;
  /** The cell already has a FINISHED run: nothing to train. */
  finished: boolean;
  /** Metrics of that finished run, for the sweep's table. */
  summary?: CellSummary;
  /**
   * Set when that run lacks evaluations the cell asks for (a new ε_A or attack): what to evaluate
   * on its stored model. Absent when it holds them all (the cell is reused as it is).
   */
  stored?: StoredModel;
}

/** A finished cell's trained model, as its run records it, and the evaluations it still lacks. */
export interface StoredModel {
  trained: Pick<TrainedRef, 'modelArtifact'>;
  missing: Pick<EvaluateInput, 'attack' | 'epsilon'>[];
  /** The clean evaluation's explanations (runs written before this was tagged: evaluate clean again). */
  cleanExplanations?: string;
  /** Why the model cannot be evaluated (no model recorded): the cell fails with it, its run untouched. */
  unavailable?: string;
}

export interface PreparedRef {
  datasetId: string;
  folder: string;
}

export interface TrainedRef {
  /** Artifact path of the model state inside the cell's MLflow run (under the attempt's id). */
  modelArtifact: string;
  /**
   * The training curve, one loss per epoch. Logged by finishCell (or failCell), which only the
   * workflow calls: a superseded training attempt cannot add points to the run's curve.
   */
  losses: number[];
  dataset: CellResult['dataset'];
  epochs: number;
  seconds: number;
  finalLoss: number;
  backend: string;
  device: string;
  /**
   * Name of the compute worker that ran this training attempt (`rexsweep worker --name`);
   * tagged `rexsweep.worker` on the run by finishCell. Absent in results of older workers.
   */
  worker?: string;
}

export interface EvaluateInput {
  ref: CellRef;
  runId: string;
  /** The accepted training attempt's model (the rest of its TrainedRef stays in the workflow). */
  trained: Pick<TrainedRef, 'modelArtifact'>;
  attack: AttackKind;
  epsilon: number;
  /** Artifact path of the accepted clean evaluation's explanations; needed by attacked ones. */
  cleanExplanations?: string;
}

/** A whole cell in one compute activity (activities/cell-run.ts). */
export interface RunCellInput {
  ref: CellRef;
  runId: string;
  /** The evaluations, in order: clean first (its explanations are the stability reference). */
  plan: Pick<EvaluateInput, 'attack' | 'epsilon'>[];
}

/** What runCell hands the workflow: the accepted attempt's model, curve and evaluations. */
export interface CellRun {
  trained: TrainedRef;
  rows: EvaluationRow[];
  /**
   * A failure no retry can fix, met after training (e.g. an evaluation's bad input): the cell
   * fails, and its run still gets the training curve.
   */
  failure?: { type: string; message: string };
}

/** The few numbers a sweep's progress table shows per cell. */
export interface CellSummary {
  cellKey: string;
  runId: string;
  clean: Pick<EvaluationRow, 'ndcg5' | 'fns' | 'f1'>;
  /** The strongest attack evaluated (largest ε_A, FGSM), when any. */
  worstFgsm?: Pick<EvaluationRow, 'epsilon' | 'ndcg5' | 'fns' | 'f1' | 'stability'>;
}

export type CellOutcome =
  | { state: 'finished'; cached: boolean; summary: CellSummary }
  | { state: 'failed'; reason: string; runId?: string };

/** How a sweep's parent run is closed, and why. */
export interface SweepClose {
  status: 'FINISHED' | 'FAILED' | 'KILLED';
  reason?: string;
}
