import { F32, type ModelSpec } from '../model-spec.ts';

/** Parameters of the MLP on [X_u ; Y_i]: P = 2F·h₁ + h₁·h₂ + … + h_k·1 (+ biases). */
export function cerParameterCount(features: number, hidden: readonly number[]): number {
  const widths = [2 * features, ...hidden, 1];
  let p = 0;
  for (let i = 0; i + 1 < widths.length; i++) p += widths[i] * widths[i + 1] + widths[i + 1];
  return p;
}

export const cerSpec = {
  name: 'cer' as const,
  title: 'CER',
  learned: true,
  // The MLP and every explainer setting (the explainer optimises against this model).
  identity: (c) => ({ cer: c.cer, explainer: c.explainer }),
  // Parameters × 4 copies (weights, gradients, Adam's two moments); activations batchSize · Σ
  // widths × 2 (forward and backward); the explainer's Δ for chunkSize rows × F × 6.
  memoryTerms: (c, size) => {
    const widths = [2 * size.features, ...c.cer.hidden, 1];
    const width = widths.reduce((a, b) => a + b, 0);
    return [
      { field: 'cer.hidden', what: "the MLP's parameters, gradients and Adam moments", bytes: 4 * cerParameterCount(size.features, c.cer.hidden) * F32 },
      // Blame the factor out of proportion: a batch wider than the network, or the network.
      { field: c.cer.batchSize > width ? 'cer.batchSize' : 'cer.hidden', what: "the MLP's activations", bytes: 2 * c.cer.batchSize * width * F32 },
      { field: 'explainer.chunkSize', what: "the explainer's Δ", bytes: 6 * Math.min(c.explainer.chunkSize, Math.max(1, size.users) * 5) * size.features * F32 },
    ];
  },
} satisfies ModelSpec;
