/**
 * The internal review row every parser yields (paper-brief §1.2 "internal row format"), and the
 * per-(user, item) timestamp/rating record the split needs. Plain data, no behaviour.
 */

export type Sentiment = 1 | -1;
export type Triplet = [feature: string, opinion: string, sentiment: Sentiment];
/** Unix seconds (Amazon) or an ISO-like date string (Yelp); one dataset uses one kind. */
export type Time = number | string;

/** Where a row came from, so later checks can still point at the offending line. */
export interface SourceLocation {
  file: string;
  line: number;
}

export interface ReviewRow {
  user: string;
  item: string;
  triplets: Triplet[];
  time?: Time;
  rating?: number;
  source: SourceLocation;
}

/** Timestamp (and star rating, when known) of one (user, item) pair: first occurrence wins. */
export interface PairInfo {
  user: string;
  item: string;
  time: Time;
  rating?: number;
  source: SourceLocation;
}

/** Insertion order matters: it is the tie order of the chronological sort (as the reference's dict). */
export type PairMap = Map<string, PairInfo>;

/** A collision-free key for a (user, item) pair of raw ids (NUL cannot occur in either id). */
export function pairKey(user: string, item: string): string {
  return `${user}\u0000${item}`;
}
