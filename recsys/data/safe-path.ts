/**
 * Paths that rexsweep derives from a config (dataset cache folders, generated source files)
 * must stay under their configured root, whatever a dataset's name says. Names are already
 * reduced to `[A-Za-z0-9._-]` (store.ts `datasetFolderName`); this is the check that holds even
 * if that ever changes, and it turns an over-long name into a clear error instead of ENAMETOOLONG.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors.ts';

/** Longest single folder or file name written under the cache (most file systems allow 255 bytes). */
export const MAX_NAME_BYTES = 200;

/**
 * `join(root, path)`, after checking that it lies strictly inside `root` and that its part under
 * `root` has no over-long segment. `field` names the config field the path came from.
 */
export function insideRoot(root: string, path: string, field: string): string {
  const base = resolve(root);
  const full = resolve(base, path);
  const rel = relative(base, full);
  if (rel === '' || rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel) || path.includes('\0')) {
    throw new InputError({ file: '<cell config>', field }, `a path inside the dataset cache ${base}`, path);
  }
  for (const segment of rel.split(sep)) {
    if (Buffer.byteLength(segment, 'utf8') > MAX_NAME_BYTES) {
      throw new InputError({ file: '<cell config>', field }, `a name of at most ${MAX_NAME_BYTES} bytes`, `${segment.slice(0, 40)}… (${Buffer.byteLength(segment)} bytes)`);
    }
  }
  // Joined, not resolved: callers keep a relative cache root relative, as before.
  return join(root, path);
}
