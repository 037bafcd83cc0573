/**
 * Hostile data files (issue 11 items 3, 7, 9): a `.env` or a credentials JSON passed as data, a
 * Latin-1 user id, an out-of-range rating, a sentiment of 0, odd line ends, a line without end.
 * Each is an InputError at file:line with what was expected; nothing of the file beyond a short,
 * redacted excerpt reaches the message.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAmazonSentires } from '../../recsys/data/amazon-sentires.ts';
import { EXCERPT_CHARS, redactedExcerpt } from '../../recsys/data/excerpt.ts';
import { parseInterchange } from '../../recsys/data/interchange.ts';
import { MAX_LINE_BYTES, readLines } from '../../recsys/data/lines.ts';
import { InputError } from '../../recsys/errors.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/hostile/${name}`, import.meta.url));

async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function failure(it: AsyncIterable<unknown>): Promise<InputError> {
  const err = await drain(it).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

const SECRETS = ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI', 'hunter2', 's3cr3t-value-do-not-print', 'postgres://admin'];

describe('file content never leaks', () => {
  it('a .env given as Amazon Sentires data: located, no secret, a short excerpt', async () => {
    const err = await failure(parseAmazonSentires(fixture('dot-env')));
    expect(err.message).toMatch(/dot-env:1 \(field line\): expected 4 '@'-separated fields/);
    for (const s of SECRETS) expect(err.message).not.toContain(s);
    expect(err.got!.length).toBeLessThan(EXCERPT_CHARS + 30);
  });

  it('a .env given as interchange JSON lines: "not JSON", no secret', async () => {
    const err = await failure(parseInterchange(fixture('dot-env')));
    expect(err.message).toMatch(/dot-env:1: expected one JSON value per line, got not JSON: /);
    for (const s of SECRETS) expect(err.message).not.toContain(s);
  });

  it('a credentials JSON: the offending value is masked', async () => {
    const err = await failure(parseInterchange(fixture('credentials.json')));
    expect(err.message).toMatch(/credentials\.json:2 \(field user\): expected string, got /);
    for (const s of SECRETS) expect(err.message).not.toContain(s);
  });

  it('redactedExcerpt masks key=value, tokens and schemes, and caps the length', () => {
    expect(redactedExcerpt('API_KEY=abc123')).toBe('API_KEY=***');
    expect(redactedExcerpt('"password": "pw"')).toBe('"password": "***"');
    expect(redactedExcerpt('Authorization: Bearer eyJhbGciOi')).not.toContain('eyJ');
    expect(redactedExcerpt('x'.repeat(10) + ' ' + 'y'.repeat(100))).toMatch(/^x{10} \*\*\*$/);
    const long = redactedExcerpt('word '.repeat(40));
    expect(long).toMatch(/… \(200 characters\)$/);
    expect(long.length).toBeLessThan(EXCERPT_CHARS + 25);
    expect(redactedExcerpt('A1@B1@0@screen|bright|0')).toBe('A1@B1@0@screen|bright|0');
  });
});

describe('bad bytes and values are located', () => {
  it('Latin-1 bytes in a user id: invalid UTF-8 at line and column, not a merged "caf\uFFFD"', async () => {
    const err = await failure(parseInterchange(fixture('interchange-latin1.jsonl')));
    expect(err.message).toMatch(/interchange-latin1\.jsonl:2:14: expected UTF-8 text, got the byte 0xe9/);
  });

  it('an out-of-range rating is refused at its line', async () => {
    const err = await failure(parseInterchange(fixture('interchange-rating-out-of-range.jsonl')));
    expect(err.message).toMatch(/:2 \(field rating\): expected a star rating from 1 to 5, got 50/);
  });

  it('a sentiment of 0 is refused at its line and triplet', async () => {
    const err = await failure(parseAmazonSentires(fixture('amazon-sentiment-zero.txt')));
    expect(err.message).toMatch(/amazon-sentiment-zero\.txt:3 \(field triplets\[0\]\[2\]\): expected sentiment "\+1" or "-1", got 0/);
  });
});

describe('readLines', () => {
  it('splits LF, CRLF (also across chunks) and lone CR, strips a BOM, skips blank lines, counts them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rexsweep-lines-'));
    const file = join(dir, 'mixed.txt');
    // The CRLF at 1 MiB - 1 falls across the stream's 1 MiB chunks.
    const pad = 'p'.repeat((1 << 20) - 1 - 'c\r\n'.length - 'a\nb\r\n\r\n'.length - 3);
    await writeFile(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`a\nb\r\n\r\n${pad}c\r\nd\re\n\nf`)]));
    const lines = await drain(readLines(file));
    expect(lines.map((l) => [l.lineNumber, l.line.length > 10 ? `${l.line.slice(-1)}…` : l.line])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [4, 'c…'],
      [5, 'd'],
      [6, 'e'],
      [8, 'f'],
    ]);
  });

  it('a line without an end past MAX_LINE_BYTES is refused before it fills memory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rexsweep-lines-'));
    const file = join(dir, 'binary.bin');
    await writeFile(file, Buffer.alloc(MAX_LINE_BYTES + (2 << 20), 0x41));
    const err = await failure(readLines(file));
    expect(err.message).toMatch(/binary\.bin:1: expected a line of at most/);
  });
});
