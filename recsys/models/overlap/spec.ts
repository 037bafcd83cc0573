import type { ModelSpec } from '../model-spec.ts';

export const overlapSpec = {
  name: 'overlap' as const,
  title: 'feature overlap',
  learned: false,
  identity: (c) => ({ overlap: c.overlap, explainer: { testUsers: c.explainer.testUsers } }),
} satisfies ModelSpec;
