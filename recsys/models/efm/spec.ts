import type { ModelSpec } from '../model-spec.ts';

export const efmSpec = {
  name: 'efm' as const,
  title: 'EFM',
  learned: true,
  // Only testUsers of the explainer settings: which users' top-K the evaluation explains.
  identity: (c) => ({ efm: c.efm, explainer: { testUsers: c.explainer.testUsers } }),
} satisfies ModelSpec;
