/**
 * The small cells the backend agreement test runs: a tiny synthetic dataset, a defended CER
 * cell (λ = 0.5, so the FGSM training step and its gradient with respect to Y run too) and a
 * defended EFM cell, each evaluated clean and under FGSM and random noise at one ε_A.
 * Small enough for the software WebGPU adapter (lavapipe) to finish in seconds.
 */
import type { CellConfigInput } from '../../recsys/config.ts';

export function agreementCell(model: 'cer' | 'efm', datasetCache: string): CellConfigInput {
  return {
    dataset: {
      source: 'synthetic',
      name: 'synthetic-agreement',
      synthetic: { users: 40, items: 150, features: 12, reviewsPerUser: 22, seed: 3 },
    },
    model,
    lambda: 0.5,
    epsilonD: 0.5,
    epsilonsA: [0.5],
    attacks: ['fgsm', 'random'],
    seed: 0,
    epochs: model === 'cer' ? 3 : 30,
    cer: { hidden: [64, 16], learningRate: 0.05 },
    explainer: { steps: 40, learningRate: 0.03, testUsers: 10 },
    datasetCache,
  };
}
