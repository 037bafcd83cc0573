/**
 * A ModelState as one binary file (checkpoints, model artifacts): a little-endian u32 header
 * length, a JSON header naming each tensor's shape and offset, then the float32 data.
 */
import type { ModelState } from '../recsys/models/explainable-model.ts';

const MAGIC = 'RXM1';

export function encodeModelState(state: ModelState): Buffer {
  const names = Object.keys(state.tensors).sort();
  let offset = 0;
  const entries = names.map((name) => {
    const t = state.tensors[name];
    const entry = { name, shape: t.shape, offset, length: t.data.length };
    offset += t.data.length;
    return entry;
  });
  const header = Buffer.from(JSON.stringify({ magic: MAGIC, kind: state.kind, epoch: state.epoch, tensors: entries }), 'utf8');
  const out = Buffer.alloc(4 + header.length + offset * 4);
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  let pos = 4 + header.length;
  for (const name of names) {
    for (const v of state.tensors[name].data) {
      out.writeFloatLE(v, pos);
      pos += 4;
    }
  }
  return out;
}

export function decodeModelState(buf: Buffer): ModelState {
  const headerLength = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + headerLength).toString('utf8')) as {
    magic: string;
    kind: ModelState['kind'];
    epoch: number;
    tensors: { name: string; shape: number[]; offset: number; length: number }[];
  };
  if (header.magic !== MAGIC) throw new Error(`not a rexsweep model file (magic ${header.magic})`);
  const base = 4 + headerLength;
  const tensors: ModelState['tensors'] = {};
  for (const t of header.tensors) {
    const data = new Float32Array(t.length);
    for (let k = 0; k < t.length; k++) data[k] = buf.readFloatLE(base + (t.offset + k) * 4);
    tensors[t.name] = { shape: t.shape, data };
  }
  return { kind: header.kind, epoch: header.epoch, tensors };
}
