import type { ModelSpec } from '../model-spec.ts';

export const cerSpec = {
  name: 'cer' as const,
  title: 'CER',
  learned: true,
  // The MLP and every explainer setting (the explainer optimises against this model).
  identity: (c) => ({ cer: c.cer, explainer: c.explainer }),
} satisfies ModelSpec;
