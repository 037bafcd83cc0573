import { F32, type ModelSpec } from '../model-spec.ts';

export const efmSpec = {
  name: 'efm' as const,
  title: 'EFM',
  learned: true,
  // Only testUsers of the explainer settings: which users' top-K the evaluation explains.
  identity: (c) => ({ efm: c.efm, explainer: { testUsers: c.explainer.testUsers } }),
  // With full residuals, users × items dense matrices × 4 (ratings, prediction, residual,
  // gradient); factors (users + items) · (r + r′) + F · r, × 4 copies.
  memoryTerms: (c, size) => {
    const factors = (Math.max(size.users, 1) + Math.max(size.items, 1)) * (c.efm.explicitFactors + c.efm.latentFactors) + size.features * c.efm.explicitFactors;
    return [
      ...(c.choices.efmResiduals === 'full' && size.known
        ? [{ field: size.sizeField, what: 'the dense users × items matrices of EFM', bytes: 4 * size.users * size.items * F32 }]
        : []),
      { field: c.efm.latentFactors >= c.efm.explicitFactors ? 'efm.latentFactors' : 'efm.explicitFactors', what: "EFM's factor matrices and their gradients", bytes: 4 * factors * F32 },
    ];
  },
} satisfies ModelSpec;
