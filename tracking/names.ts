/**
 * Readable run names: `cer·yelp·λ0.5·ε0.5·s0` for a defended cell, `cer·yelp·vanilla·s0` for
 * λ = 0 (ε_D means nothing there). Numbers use the canonical parameter format. MLflow stores the
 * name as the `mlflow.runName` tag, which accepts any characters.
 */
import { formatNumber } from './params.ts';

export interface RunNameParts {
  model: string;
  /** The dataset's short name (`config.dataset.name`). */
  dataset: string;
  lambda: number;
  epsilonD: number;
  seed: number;
}

export function cellRunName(p: RunNameParts): string {
  const defence = p.lambda === 0 ? 'vanilla' : `λ${formatNumber(p.lambda)}·ε${formatNumber(p.epsilonD)}`;
  return `${p.model}·${p.dataset}·${defence}·s${formatNumber(p.seed)}`;
}

/** Name parts from a cell config (`recsys/config.ts` CellConfig or its input form). */
export function runNamePartsFromConfig(config: {
  model: string;
  dataset: { name?: string; source?: string };
  lambda?: number;
  epsilonD?: number;
  seed?: number;
}): RunNameParts {
  return {
    model: config.model,
    dataset: config.dataset.name ?? config.dataset.source ?? 'data',
    lambda: config.lambda ?? 0,
    epsilonD: config.epsilonD ?? 0,
    seed: config.seed ?? 0,
  };
}

export function sweepRunName(sweepId: string): string {
  return `sweep·${sweepId}`;
}
