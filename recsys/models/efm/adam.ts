/**
 * Full-batch Adam with projection onto θ ≥ 0 after every step (paper-brief §2.2, A8).
 * Hand-written rather than tf.train.adam so that the moments and the step count are plain
 * state: bias corrections come from the step count (Math.pow in JS), never from an accumulated
 * float32 product, so a run resumed from saved moments continues bit-identically.
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamConfig {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export class ProjectedAdam {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  /**
   * @param params the variables stepped, in a fixed order
   * @param moments first and second moments in the same order (zeros when absent)
   * @param steps Adam steps already taken (the t of the bias corrections)
   */
  constructor(
    private readonly params: tf.Variable[],
    private readonly config: AdamConfig,
    moments?: { m: Float32Array[]; v: Float32Array[] },
    private steps = 0,
  ) {
    const make = (i: number, values?: Float32Array) => {
      const p = params[i];
      const t = values ? tf.tensor(values, p.shape, 'float32') : tf.zeros(p.shape, 'float32');
      const variable = tf.variable(t, false);
      t.dispose();
      return variable;
    };
    this.m = params.map((_, i) => make(i, moments?.m[i]));
    this.v = params.map((_, i) => make(i, moments?.v[i]));
  }

  get stepCount(): number {
    return this.steps;
  }

  /** One step θ ← max(0, θ − lr·m̂/(√v̂ + ε)). grads[i] belongs to params[i]. */
  step(grads: tf.Tensor[]): void {
    if (grads.length !== this.params.length) throw new RangeError(`${grads.length} gradients for ${this.params.length} parameters`);
    this.steps += 1;
    const { learningRate: lr, beta1: b1, beta2: b2, epsilon } = this.config;
    const bc1 = 1 - Math.pow(b1, this.steps);
    const bc2 = 1 - Math.pow(b2, this.steps);
    tf.tidy(() => {
      for (let i = 0; i < this.params.length; i++) {
        const g = grads[i];
        const m = tf.add(tf.mul(this.m[i], b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(this.v[i], b2), tf.mul(tf.square(g), 1 - b2));
        const update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), epsilon));
        const next = tf.relu(tf.sub(this.params[i], tf.mul(update, lr)));
        this.m[i].assign(m);
        this.v[i].assign(v);
        this.params[i].assign(next);
      }
    });
  }

  /** The moment variables (for cacheOnHost before readMoments on WebGPU). */
  moments(): tf.Variable[] {
    return [...this.m, ...this.v];
  }

  readMoments(): { m: Float32Array[]; v: Float32Array[] } {
    const read = (vs: tf.Variable[]) => vs.map((x) => Float32Array.from(x.dataSync() as Float32Array));
    return { m: read(this.m), v: read(this.v) };
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}
