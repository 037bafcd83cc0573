/**
 * Amazon Sentires output, one review per line (paper-brief §1.2 a, A16), read as the reference
 * reads it: user = split('@')[0], item = split('@')[1], triplet text = line[len(user) +
 * len(item) + 3:], i.e. whatever follows `user@item@` and ONE more character. That character is
 * the second '@' of `user@item@@…`: real output leaves the third field empty (the one real sample
 * found, a CounteR reproduction's reviews_small.txt, does on all of its 1,000 lines).
 *
 * Accepted, with the reference's triplets:
 *   user@item@@f|o|+1:…||…         the triplet text is everything after "@@" ('@' in it kept)
 *   user@item, user@item@(@)       no triplet text: a row without triplets, as in the reference
 *                                  (the first feature filter drops it)
 * Refused, with an InputError naming file, line and field:
 *   no '@' (field line)            the reference fails on it (IndexError)
 *   a non-empty third field        the reference drops its first character and glues the rest,
 *     (field 3)                    and the '@', to the first feature (user@item@0@screen|… gives
 *                                  "@screen"), or misreads or fails on the triplets: the layout
 *                                  it assumes is broken, so no row it makes can be trusted
 *   an empty user or item          the reference would keep '' as an id
 * Each '||' segment loses everything from its first ':' and its outer '|'; a segment with fewer
 * than two '|' parts is skipped, as in the reference. A sentiment other than "+1"/"-1" aborts
 * the reference run: here it is an InputError at that line.
 */
import { InputError } from '../errors.ts';
import { redactedExcerpt } from './excerpt.ts';
import { readLines } from './lines.ts';
import type { ReviewRow, Sentiment, Triplet } from './rows.ts';

const LAYOUT = 'user@item@@feature|opinion|sentiment||...';

export async function* parseAmazonSentires(path: string): AsyncGenerator<ReviewRow> {
  for await (const { line, lineNumber } of readLines(path)) yield parseAmazonSentiresLine(line, path, lineNumber);
}

/** One line → one row (rows with no triplet are kept: the first feature filter drops them). */
export function parseAmazonSentiresLine(rawLine: string, file: string, lineNumber: number): ReviewRow {
  const line = rawLine.trim();
  const parts = line.split('@');
  const at = (field: string, expected: string, got: string) => new InputError({ file, line: lineNumber, field }, expected, redactedExcerpt(got));
  if (parts.length < 2) throw at('line', `4 '@'-separated fields ${LAYOUT} (or user@item for a review without triplets)`, line);
  const [user, item] = parts;
  if (user === '') throw at('user', 'a non-empty user id before the first @', line);
  if (item === '') throw at('item', 'a non-empty item id between the first and second @', line);
  if (parts.length > 2 && parts[2] !== '') {
    throw at('3', `an empty third field, ${LAYOUT}: the reference skips one character there, so anything in it would corrupt the first feature`, parts[2]);
  }
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
