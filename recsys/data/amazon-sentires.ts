/**
 * Amazon Sentires output, one review per line (paper-brief §1.2 a):
 *   user@item@<x>@feature|opinion|+1||feature|opinion|-1:extra||...
 * Parsed as the brief recommends: the triplet field is everything after the third '@'
 * (re-joined, so an '@' inside a feature survives); each '||' segment loses everything from
 * its first ':' and its outer '|'; a segment with fewer than two '|' parts is skipped, as in
 * the reference. A sentiment other than "+1"/"-1" aborts the reference run: here it is an
 * InputError at that line.
 */
import { InputError } from '../errors.ts';
import { redactedExcerpt } from './excerpt.ts';
import { readLines } from './lines.ts';
import type { ReviewRow, Sentiment, Triplet } from './rows.ts';

const LAYOUT = 'user@item@<x>@feature|opinion|sentiment||...';

export async function* parseAmazonSentires(path: string): AsyncGenerator<ReviewRow> {
  for await (const { line, lineNumber } of readLines(path)) yield parseAmazonSentiresLine(line, path, lineNumber);
}

/** One line → one row (rows with no triplet are kept: the first feature filter drops them). */
export function parseAmazonSentiresLine(rawLine: string, file: string, lineNumber: number): ReviewRow {
  const line = rawLine.trim();
  const parts = line.split('@');
  if (parts.length < 4) throw new InputError({ file, line: lineNumber, field: 'line' }, `4 '@'-separated fields ${LAYOUT}`, redactedExcerpt(line));
  const [user, item] = parts;
  if (user === '') throw new InputError({ file, line: lineNumber, field: 'user' }, 'a non-empty user id before the first @', redactedExcerpt(line));
  if (item === '') throw new InputError({ file, line: lineNumber, field: 'item' }, 'a non-empty item id between the first and second @', redactedExcerpt(line));
  const triplets: Triplet[] = [];
  const segments = parts.slice(3).join('@').split('||');
  segments.forEach((segment, k) => {
    const fos = stripPipes(segment.split(':')[0]).split('|');
    if (fos.length < 2) return;
    triplets.push([fos[0], fos[1], parseSentiment(fos[2], file, lineNumber, `triplets[${k}][2]`)]);
  });
  return { user, item, triplets, source: { file, line: lineNumber } };
}

function parseSentiment(s: string | undefined, file: string, line: number, field: string): Sentiment {
  if (s === '+1') return 1;
  if (s === '-1') return -1;
  throw new InputError({ file, line, field }, 'sentiment "+1" or "-1"', s === undefined ? 'nothing' : redactedExcerpt(s));
}

/** Python's str.strip('|'). */
function stripPipes(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s[a] === '|') a++;
  while (b > a && s[b - 1] === '|') b--;
  return s.slice(a, b);
}
