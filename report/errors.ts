/** Typed errors of the report layer. */
import { RexsweepError } from '../recsys/errors.ts';

export class ReportError extends RexsweepError {}

/** No parent run for the sweep id (in the study's experiment, or in any experiment). */
export class SweepNotFoundError extends ReportError {
  constructor(readonly sweepId: string, readonly where: string) {
    super(`no MLflow run of sweep ${sweepId} in ${where}; check the sweep id (rexsweep status) and MLFLOW_TRACKING_URI`);
  }
}

/** The same sweep id has parent runs in several experiments: ask for the study. */
export class AmbiguousSweepError extends ReportError {
  constructor(readonly sweepId: string, readonly studies: string[]) {
    super(`sweep ${sweepId} has runs in several experiments (${studies.join(', ')}); pass the sweep file or --study`);
  }
}

/** A cell run whose params or metrics cannot be read as a cell of the layout (tracking/layout.ts). */
export class CellRunShapeError extends ReportError {
  constructor(readonly runId: string, readonly detail: string) {
    super(`cell run ${runId}: ${detail}`);
  }
}

/** A figure could not be rendered (vega or resvg failed). */
export class FigureRenderError extends ReportError {
  constructor(readonly figure: string, readonly detail: string) {
    super(`figure ${figure}: ${detail}`);
  }
}
