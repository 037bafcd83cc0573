/**
 * EFM ⇄ ModelState. A state carries the factors, the Adam moments and the loss history, so that
 * a run resumed from it continues bit-identically (same float32 values, same step count).
 *
 * Tensor names: U1 U2 V H1 H2, adam/m/<factor>, adam/v/<factor>, losses ([epoch]).
 */
import type { ModelState } from '../explainable-model.ts';
import { FACTOR_NAMES, factorShapes, type EfmDims, type FactorName, type FactorValues } from './params.ts';

export interface AdamMoments {
  m: FactorValues;
  v: FactorValues;
}

export interface EfmSnapshot {
  factors: FactorValues;
  /** Absent in a hand-made state (views need none); training then starts with zero moments. */
  moments?: AdamMoments;
  /** Completed iterations = Adam steps taken. */
  epoch: number;
  losses: number[];
}

export function toModelState(s: EfmSnapshot, d: EfmDims): ModelState {
  const shapes = factorShapes(d);
  const tensors: ModelState['tensors'] = {};
  for (const name of FACTOR_NAMES) {
    tensors[name] = { shape: [...shapes[name]], data: Float32Array.from(s.factors[name]) };
    if (s.moments) {
      tensors[`adam/m/${name}`] = { shape: [...shapes[name]], data: Float32Array.from(s.moments.m[name]) };
      tensors[`adam/v/${name}`] = { shape: [...shapes[name]], data: Float32Array.from(s.moments.v[name]) };
    }
  }
  tensors.losses = { shape: [s.losses.length], data: Float32Array.from(s.losses) };
  return { kind: 'efm', epoch: s.epoch, tensors };
}

/** The dimensions a state was trained with (r and r' from U1 and H1). */
export function dimsOfState(state: ModelState): EfmDims {
  assertEfm(state);
  const shape = (n: FactorName) => requireTensor(state, n).shape;
  return {
    users: shape('U1')[0],
    items: shape('U2')[0],
    features: shape('V')[0],
    explicit: shape('U1')[1],
    latent: shape('H1')[1],
  };
}

/**
 * Read a state back, checking it against the expected dimensions (data and config).
 * Copies every array, so the state may be reused or mutated by the caller.
 */
export function fromModelState(state: ModelState, expected: EfmDims): EfmSnapshot {
  assertEfm(state);
  const shapes = factorShapes(expected);
  const factors = {} as FactorValues;
  const m = {} as FactorValues;
  const v = {} as FactorValues;
  let hasMoments = true;
  for (const name of FACTOR_NAMES) {
    factors[name] = checked(state, name, shapes[name]);
    if (state.tensors[`adam/m/${name}`] && state.tensors[`adam/v/${name}`]) {
      m[name] = checked(state, `adam/m/${name}`, shapes[name]);
      v[name] = checked(state, `adam/v/${name}`, shapes[name]);
    } else {
      hasMoments = false;
    }
  }
  const losses = state.tensors.losses ? Array.from(state.tensors.losses.data) : [];
  return { factors, moments: hasMoments ? { m, v } : undefined, epoch: state.epoch, losses };
}

function assertEfm(state: ModelState): void {
  if (state.kind !== 'efm') throw new TypeError(`expected an EFM state, got kind '${state.kind}'`);
}

function requireTensor(state: ModelState, name: string): ModelState['tensors'][string] {
  const t = state.tensors[name];
  if (!t) throw new RangeError(`EFM state has no tensor '${name}'`);
  return t;
}

function checked(state: ModelState, name: string, shape: [number, number]): Float32Array {
  const t = requireTensor(state, name);
  if (t.shape.length !== 2 || t.shape[0] !== shape[0] || t.shape[1] !== shape[1]) {
    throw new RangeError(`EFM state tensor '${name}' has shape [${t.shape}], expected [${shape}]`);
  }
  if (t.data.length !== shape[0] * shape[1]) {
    throw new RangeError(`EFM state tensor '${name}' holds ${t.data.length} values, expected ${shape[0] * shape[1]}`);
  }
  return Float32Array.from(t.data);
}
