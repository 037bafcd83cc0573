/**
 * The JSON-lines interchange format (paper-brief §1.2, recommended for the port), one review a line:
 *   {"user": str, "item": str, "time": number|string, "rating"?: number, "triplets": [[feature, opinion, 1|-1], ...]}
 * `time` is required: without it a review cannot be placed in the user's history.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { z } from 'zod';
import { StarRatingSchema } from './rating.ts';
import { readLines } from './lines.ts';
import { parseJsonLine, validateRecord } from './json-line.ts';
import type { ReviewRow, Time, Triplet } from './rows.ts';

export const InterchangeRecordSchema = z.object({
  user: z.string().min(1),
  item: z.string().min(1),
  time: z.union([z.number().finite(), z.string().min(1)], { error: 'a number (unix seconds) or a date string' }),
  rating: StarRatingSchema.optional(),
  triplets: z.array(
    z.tuple([z.string(), z.string(), z.union([z.literal(1), z.literal(-1)], { error: 'sentiment 1 or -1' })]),
  ),
});

export interface InterchangeRecord {
  user: string;
  item: string;
  time: Time;
  rating?: number;
  triplets: Triplet[];
}

export async function* parseInterchange(path: string): AsyncGenerator<ReviewRow> {
  for await (const { line, lineNumber } of readLines(path)) yield parseInterchangeLine(line, path, lineNumber);
}

export function parseInterchangeLine(line: string, file: string, lineNumber: number): ReviewRow {
  const r = validateRecord(InterchangeRecordSchema, parseJsonLine(line, file, lineNumber), file, lineNumber);
  const row: ReviewRow = { user: r.user, item: r.item, triplets: r.triplets, time: r.time, source: { file, line: lineNumber } };
  if (r.rating !== undefined) row.rating = r.rating;
  return row;
}

/** One record as a line, keys in a fixed order so equal records give equal bytes. */
export function formatInterchangeLine(r: InterchangeRecord): string {
  const out: Record<string, unknown> = { user: r.user, item: r.item, time: r.time };
  if (r.rating !== undefined) out.rating = r.rating;
  out.triplets = r.triplets;
  return JSON.stringify(out);
}

/** Streams records to `path` (overwriting it), honouring back-pressure. */
export async function writeInterchange(path: string, records: Iterable<InterchangeRecord>): Promise<void> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  const finished = once(out, 'finish');
  // An 'error' rejects `finished` and any pending 'drain' wait; attach before the first write.
  finished.catch(() => {});
  for (const r of records) {
    if (!out.write(formatInterchangeLine(r) + '\n')) await Promise.race([once(out, 'drain'), finished]);
  }
  out.end();
  await finished;
}
