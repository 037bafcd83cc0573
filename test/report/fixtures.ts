/**
 * Cells with known metric values, for the report tests: dataset `toy`, vanilla + two defenses,
 * three seeds, clean and FGSM/random at ε_A 0.5 and 1. Every number is known in closed form:
 *
 *   ndcg5 = base − k·drop·ε_A + seed/100       base 0.3 (cer) or 0.4 (efm)
 *   fns   = 0.5 − 2·k·drop·ε_A + seed/50       drop 0.2 (vanilla), 0.05 + 0.05/ε_D (defended)
 *   f1    = 0.2 + seed/100                     k 1 (FGSM), 0.25 (random)
 *   stability = 0.9 − ε_A/10 (attacked only)
 */
import type { TrainedRef } from '../../activities/contracts.ts';
import type { CellObservation } from '../../report/aggregate.ts';
import type { EvaluationRow } from '../../recsys/cell/result.ts';

export interface FixtureOptions {
  models?: string[];
  seeds?: number[];
  defenses?: Array<{ lambda: number; epsilonD: number }>;
  epsilonsA?: number[];
}

export const FIXTURE = {
  dataset: 'toy',
  models: ['cer'],
  seeds: [0, 1, 2],
  defenses: [
    { lambda: 0, epsilonD: 0 },
    { lambda: 0.5, epsilonD: 0.5 },
    { lambda: 0.5, epsilonD: 1 },
  ],
  epsilonsA: [0.5, 1],
};

export function fixtureValues(model: string, lambda: number, epsilonD: number, seed: number, attack: 'clean' | 'fgsm' | 'random', e: number): Record<string, number> {
  const base = 0.3 + (model === 'efm' ? 0.1 : 0);
  const drop = lambda === 0 ? 0.2 : 0.05 + 0.05 / epsilonD;
  const k = attack === 'random' ? 0.25 : attack === 'clean' ? 0 : 1;
  return {
    ndcg5: base - k * drop * e + seed / 100,
    fns: 0.5 - k * drop * e * 2 + seed / 50,
    f1: 0.2 + seed / 100,
    ...(attack === 'clean' ? {} : { stability: 0.9 - e / 10 }),
  };
}

export function fixtureCells(opts: FixtureOptions = {}): CellObservation[] {
  const models = opts.models ?? FIXTURE.models;
  const seeds = opts.seeds ?? FIXTURE.seeds;
  const defenses = opts.defenses ?? FIXTURE.defenses;
  const epsilonsA = opts.epsilonsA ?? FIXTURE.epsilonsA;
  const cells: CellObservation[] = [];
  for (const model of models) {
    for (const d of defenses) {
      for (const seed of seeds) {
        cells.push({
          runId: `run-${model}-${d.lambda}-${d.epsilonD}-${seed}`,
          dataset: FIXTURE.dataset,
          model,
          lambda: d.lambda,
          epsilonD: d.epsilonD,
          seed,
          evaluations: [
            { attack: 'clean', epsilonA: 0, metrics: fixtureValues(model, d.lambda, d.epsilonD, seed, 'clean', 0) },
            ...epsilonsA.flatMap((e) =>
              (['fgsm', 'random'] as const).map((attack) => ({ attack, epsilonA: e, metrics: fixtureValues(model, d.lambda, d.epsilonD, seed, attack, e) })),
            ),
          ],
        });
      }
    }
  }
  return cells;
}

/** The evaluation rows a cell with these values would have logged (other fields constant). */
export function fixtureRows(model: string, lambda: number, epsilonD: number, seed: number, epsilonsA = FIXTURE.epsilonsA): EvaluationRow[] {
  const row = (attack: 'none' | 'fgsm' | 'random', epsilon: number): EvaluationRow => {
    const v = fixtureValues(model, lambda, epsilonD, seed, attack === 'none' ? 'clean' : attack, epsilon);
    return {
      attack,
      epsilon,
      ndcg5: v.ndcg5,
      explained: 8,
      pairs: 10,
      meanExplanationSize: 2,
      meanComplexity: 1.5,
      userSidePairs: 8,
      precision: 0.25,
      recall: 0.5,
      f1: v.f1,
      pn: 0.6,
      ps: 0.7,
      fns: v.fns,
      stability: v.stability ?? null,
      stabilityPairs: attack === 'none' ? 0 : 8,
      seconds: 1,
    };
  };
  return [row('none', 0), ...epsilonsA.flatMap((e) => [row('fgsm', e), row('random', e)])];
}

/** A trained model as finishCell records it: the fixture cells' training result (no real model). */
export const FIXTURE_TRAINED: TrainedRef = {
  modelArtifact: 'model/state.rxm',
  losses: [0.7, 0.5],
  dataset: { id: 'toy', folder: '/nowhere', users: 10, items: 20, features: 4, trainPairs: 100, testUsers: 10 },
  epochs: 1,
  seconds: 1,
  finalLoss: 0.5,
  backend: 'cpu',
  device: 'cpu',
};
