/**
 * Building mini-batch inputs on the JS side. X and Y are constants for CER (never trained), so a
 * batch is a plain copy of rows out of the row-major Float32Arrays: no tf.gather, hence no gather
 * gradient (which has no WASM kernel, deps.md §2.2), and one upload per batch.
 */

/**
 * Rows of a row-major [n × width] matrix, copied into a new [B × width] array. Row k of the result
 * is src row ids[pick(k)], where pick(k) = order[start + k] when an order is given, else start + k.
 */
export function gatherRows(
  src: Float32Array,
  width: number,
  ids: ArrayLike<number>,
  start = 0,
  end = ids.length,
  order?: ArrayLike<number>,
): Float32Array {
  const rows = end - start;
  const out = new Float32Array(rows * width);
  for (let k = 0; k < rows; k++) {
    const id = ids[order ? order[start + k] : start + k];
    const from = id * width;
    out.set(src.subarray(from, from + width), k * width);
  }
  return out;
}

/** Values vals[pick(k)] for k in [0, end − start), as float32 (labels, margins). */
export function gatherValues(vals: ArrayLike<number>, start: number, end: number, order?: ArrayLike<number>): Float32Array {
  const out = new Float32Array(end - start);
  for (let k = 0; k < out.length; k++) out[k] = vals[order ? order[start + k] : start + k];
  return out;
}
