/**
 * A review's star rating, where a source gives one (Amazon `overall`, Yelp `stars`, the
 * interchange and Yelp Sentires `rating`): 1 to 5 stars on both sites. A value outside is not a
 * rating (a column mix-up, a 0–100 score) and is refused at its line rather than carried along.
 */
import { z } from 'zod';

export const StarRatingSchema = z.number({ error: 'a star rating from 1 to 5' }).finite().min(1, { error: 'a star rating from 1 to 5' }).max(5, { error: 'a star rating from 1 to 5' });
