/**
 * Timestamps and star ratings from the raw review dumps (paper-brief §1.1, §1.3 post-steps):
 *   Amazon 2014 JSON lines: reviewerID, asin, unixReviewTime (unix seconds), overall (stars)
 *   Yelp review.json:       user_id, business_id, date ("YYYY-MM-DD HH:MM:SS"), stars
 * The first occurrence of each (user, item) is kept, as in the reference. Every line is parsed
 * and validated (a malformed dump is an error, not silently skipped), but only the pairs that
 * `wanted` accepts are stored, so a multi-GB dump costs memory only for the surviving reviews.
 */
import { z } from 'zod';
import { StarRatingSchema } from './rating.ts';
import { readLines } from './lines.ts';
import { parseJsonLine, validateRecord } from './json-line.ts';
import { pairKey, type PairInfo, type PairMap, type Time } from './rows.ts';

export type RawReviewFormat = 'amazon' | 'yelp';

const AmazonReview = z.object({
  reviewerID: z.string().min(1),
  asin: z.string().min(1),
  unixReviewTime: z.number().finite(),
  overall: StarRatingSchema.optional(),
});

const YelpReview = z.object({
  user_id: z.string().min(1),
  business_id: z.string().min(1),
  date: z.string().min(1),
  stars: StarRatingSchema.optional(),
});

interface RawReview {
  user: string;
  item: string;
  time: Time;
  rating?: number;
}

function toRawReview(format: RawReviewFormat, value: unknown, file: string, line: number): RawReview {
  if (format === 'amazon') {
    const r = validateRecord(AmazonReview, value, file, line);
    return { user: r.reviewerID, item: r.asin, time: r.unixReviewTime, rating: r.overall };
  }
  const r = validateRecord(YelpReview, value, file, line);
  return { user: r.user_id, item: r.business_id, time: r.date, rating: r.stars };
}

export async function readRawReviews(
  path: string,
  format: RawReviewFormat,
  wanted: (key: string) => boolean = () => true,
): Promise<PairMap> {
  const pairs: PairMap = new Map();
  for await (const { line, lineNumber } of readLines(path)) {
    const r = toRawReview(format, parseJsonLine(line, path, lineNumber), path, lineNumber);
    const key = pairKey(r.user, r.item);
    if (pairs.has(key) || !wanted(key)) continue;
    const info: PairInfo = { user: r.user, item: r.item, time: r.time, source: { file: path, line: lineNumber } };
    if (r.rating !== undefined) info.rating = r.rating;
    pairs.set(key, info);
  }
  return pairs;
}
