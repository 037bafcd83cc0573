/**
 * Line-by-line streaming of a text file. Raw review files are several GB, so nothing here
 * ever holds more than one line (plus the stream's chunk) in memory.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { decodeUtf8 } from '../config-text.ts';
import { InputError } from '../errors.ts';

export interface NumberedLine {
  line: string;
  /** 1-based, counting blank lines too, so it matches what an editor shows. */
  lineNumber: number;
}

/** Throws InputError when the path is not a readable regular file (before any stream opens). */
export async function assertReadableFile(path: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new InputError({ file: path }, 'an existing, readable file', (err as NodeJS.ErrnoException).code ?? String(err));
  }
  if (!info.isFile()) throw new InputError({ file: path }, 'a regular file', 'a directory or special file');
}

/** A longer line is not a record of any format read here (a binary file, a file without newlines). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Yields every non-blank line (LF, CRLF and lone CR end a line, as with readline; a leading
 * UTF-8 BOM is stripped). Bytes are split into lines first and each line is decoded strictly:
 * invalid UTF-8 is an InputError at its line and column, never a silent U+FFFD (two Latin-1 user
 * ids used to merge into one), and a line over MAX_LINE_BYTES is refused before it fills memory.
 */
export async function* readLines(path: string): AsyncGenerator<NumberedLine> {
  await assertReadableFile(path);
  const input = createReadStream(path, { highWaterMark: 1 << 20 });
  let lineNumber = 0;
  let carry: Buffer = Buffer.alloc(0);
  // A CR ended the previous chunk: an LF starting this one belongs to it (CRLF split in two).
  let afterCr = false;
  const decode = (bytes: Buffer): NumberedLine | undefined => {
    lineNumber++;
    let line = decodeUtf8(bytes, path, lineNumber);
    if (lineNumber === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    return line.trim() === '' ? undefined : { line, lineNumber };
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      let start = 0;
      if (afterCr && carry.length === 0 && buf[0] === 0x0a) start = 1;
      afterCr = false;
      for (let i = start; i < buf.length; i++) {
        const b = buf[i];
        if (b !== 0x0a && b !== 0x0d) continue;
        const out = decode(buf.subarray(start, i));
        if (out) yield out;
        if (b === 0x0d) {
          if (i + 1 < buf.length) {
            if (buf[i + 1] === 0x0a) i++;
          } else afterCr = true;
        }
        start = i + 1;
      }
      if (buf.length - start > MAX_LINE_BYTES) {
        throw new InputError({ file: path, line: lineNumber + 1 }, `a line of at most ${MAX_LINE_BYTES} bytes (is this a text file of the expected format?)`, `more than ${MAX_LINE_BYTES} bytes without a line end`);
      }
      carry = Buffer.from(buf.subarray(start));
    }
    if (carry.length > 0) {
      const out = decode(carry);
      if (out) yield out;
    }
  } finally {
    // A consumer that stops early (an InputError) must not leave the file descriptor open.
    input.destroy();
  }
}
