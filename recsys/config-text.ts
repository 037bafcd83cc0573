/**
 * Reading a config file's text (cell and sweep YAML) with the checks that keep hostile input
 * from costing time or memory or being misread: a regular file only (`/dev/zero`, a FIFO or a
 * folder is refused before a byte is read), at most MAX_CONFIG_BYTES (a config is a few kB;
 * `plan /dev/zero` used to read 660 MB before failing), and valid UTF-8 (a Latin-1 byte used to
 * become U+FFFD silently). Each refusal is an InputError naming the file, and for bad UTF-8 the
 * line and column of the first bad byte.
 */
import { open } from 'node:fs/promises';
import { InputError } from './errors.ts';

/** 1 MiB: far above any real sweep or cell file. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export async function readConfigText(file: string, what: string): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new InputError({ file }, `a readable ${what}`, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new InputError({ file }, `a regular ${what}`, stat.isDirectory() ? 'a folder' : 'a device, pipe or socket');
    if (stat.size > MAX_CONFIG_BYTES) throw new InputError({ file }, `a ${what} of at most ${MAX_CONFIG_BYTES} bytes`, `${stat.size} bytes`);
    // Read one byte past the cap: a file that grew since stat is still refused.
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > MAX_CONFIG_BYTES) throw new InputError({ file }, `a ${what} of at most ${MAX_CONFIG_BYTES} bytes`, 'more');
    }
    return decodeUtf8(buf.subarray(0, n), file);
  } finally {
    await handle.close();
  }
}

/** Holds no state between calls (no `stream` option): one serves every file. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** `bytes` as UTF-8 text, or an InputError at the line and column of the first invalid byte. */
export function decodeUtf8(bytes: Uint8Array, file: string, firstLine = 1): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    // The scanner and the decoder agree on valid UTF-8; should they not, blame the last byte.
    const at = Math.min(firstInvalidUtf8(bytes), bytes.length - 1);
    let line = firstLine;
    let lineStart = 0;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) (line++, (lineStart = i + 1));
    const column = at - lineStart + 1;
    throw new InputError({ file, line, column }, 'UTF-8 text', `the byte 0x${bytes[at].toString(16).padStart(2, '0')}, which is not valid UTF-8 there (column counts bytes)`);
  }
}

/** Offset of the first byte that does not belong to a valid UTF-8 sequence (bytes.length if none). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) (need = 1), (min = 0x80);
    else if (b >= 0xe0 && b <= 0xef) (need = 2), (min = 0x800);
    else if (b >= 0xf0 && b <= 0xf4) (need = 3), (min = 0x10000);
    else return i;
    // A sequence cut off by the end of the input.
    if (i + need >= bytes.length) return i;
    let cp = b & (0xff >> (need + 2));
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}
