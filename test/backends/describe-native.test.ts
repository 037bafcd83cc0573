/** How results name the native device: a stock addon (no binding patch) says so and what to do. */
import { describe, expect, it } from 'vitest';
import { describeNative } from '../../recsys/backends/native.ts';

describe('describeNative', () => {
  it('names the TensorFlow version, and an unpatched binding with the command that patches it', () => {
    expect(describeNative({ tfVersion: '2.12.1', gpu: false, bindingPatch: 1 })).toBe('cpu (native TensorFlow 2.12.1)');
    expect(describeNative({ tfVersion: '2.12.1', gpu: false, bindingPatch: 0 })).toBe(
      'cpu (native TensorFlow 2.12.1, unpatched binding: rerun `rexsweep setup native` for the fused dense layer)',
    );
    // On a GPU the dense layer is never fused, so the patch does not matter there.
    expect(describeNative({ tfVersion: '2.15.1', gpu: true, bindingPatch: 0 })).toBe('gpu (native TensorFlow 2.15.1, CUDA)');
  });
});
