/**
 * Content hashing for the dataset cache: canonical JSON (sorted keys, so equal settings hash
 * equally whatever the key order) and streamed sha256 of files and buffers.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { assertReadableFile } from './lines.ts';

/** JSON with object keys sorted recursively; undefined members are dropped, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 and size of a file, streamed (source files are several GB). */
export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  await assertReadableFile(path);
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}
