import type { ModelSpec } from '../model-spec.ts';

export const overlapSpec = {
  name: 'overlap' as const,
  title: 'feature overlap',
  learned: false,
  identity: (c) => ({ overlap: c.overlap, explainer: { testUsers: c.explainer.testUsers } }),
  // Plain arithmetic on X and Y, which the shared terms count already.
  memoryTerms: () => [],
} satisfies ModelSpec;
