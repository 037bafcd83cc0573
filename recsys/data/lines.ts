/**
 * Line-by-line streaming of a text file. Raw review files are several GB, so nothing here
 * ever holds more than one line (plus the stream's chunk) in memory.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
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

/** Yields every non-blank line (CRLF and a leading UTF-8 BOM are stripped). */
export async function* readLines(path: string): AsyncGenerator<NumberedLine> {
  await assertReadableFile(path);
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const rl = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const raw of rl) {
      lineNumber++;
      const line = lineNumber === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      if (line.trim() === '') continue;
      yield { line, lineNumber };
    }
  } finally {
    // A consumer that stops early (an InputError) must not leave the file descriptor open.
    rl.close();
    input.destroy();
  }
}
