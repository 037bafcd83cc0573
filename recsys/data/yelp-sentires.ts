/**
 * Yelp Sentires output (paper-brief §1.2 b): Lei Li's reviews.pickle, exported to JSON lines with
 *
 *   python -c "import pickle,json,sys; [print(json.dumps(r, default=str)) for r in pickle.load(open(sys.argv[1],'rb'))]" reviews.pickle > reviews.jsonl
 *
 * Each record has `user`, `item` and either `template: [feature, adjective, sentence, ±1]`
 * (Lei Li's released data: exactly one triplet per record, as the reference reads it) or the
 * Sentires-Guide variant `sentence: [[feature, adjective, sentence, ±1], ...]` (all tuples of the
 * review). When both are present `template` wins, as in the reference. `rating` is optional.
 */
import { z } from 'zod';
import { StarRatingSchema } from './rating.ts';
import { readLines } from './lines.ts';
import { parseJsonLine, validateRecord } from './json-line.ts';
import type { ReviewRow, Triplet } from './rows.ts';

const sentiment = z.union([z.literal(1), z.literal(-1)], { error: 'sentiment 1 or -1 (an integer)' });
const tuple = z.tuple([z.string(), z.string(), z.unknown(), sentiment], {
  error: '[feature, adjective, sentence, sentiment]',
}).rest(z.unknown());
const id = z.union([z.string().min(1), z.number()], { error: 'a non-empty string id' }).transform(String);

const YelpSentiresRecord = z
  .object({
    user: id,
    item: id,
    template: tuple.optional(),
    sentence: z.array(tuple).optional(),
    rating: StarRatingSchema.optional(),
  })
  .refine((r) => r.template !== undefined || r.sentence !== undefined, {
    message: 'a "template" [feature, adjective, sentence, ±1] or a "sentence" list of such tuples',
    path: ['template'],
  });

export async function* parseYelpSentires(path: string): AsyncGenerator<ReviewRow> {
  for await (const { line, lineNumber } of readLines(path)) yield parseYelpSentiresLine(line, path, lineNumber);
}

export function parseYelpSentiresLine(line: string, file: string, lineNumber: number): ReviewRow {
  const r = validateRecord(YelpSentiresRecord, parseJsonLine(line, file, lineNumber), file, lineNumber);
  const tuples = r.template !== undefined ? [r.template] : (r.sentence ?? []);
  const triplets: Triplet[] = tuples.map((t) => [t[0], t[1], t[3]]);
  const row: ReviewRow = { user: r.user, item: r.item, triplets, source: { file, line: lineNumber } };
  if (r.rating !== undefined) row.rating = r.rating;
  return row;
}
