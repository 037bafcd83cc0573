import { describe, expect, it } from 'vitest';
import { InputError } from '../../recsys/errors.ts';
import { parseAmazonSentires, parseAmazonSentiresLine } from '../../recsys/data/amazon-sentires.ts';
import { parseYelpSentires } from '../../recsys/data/yelp-sentires.ts';
import { formatInterchangeLine, parseInterchange, parseInterchangeLine, writeInterchange } from '../../recsys/data/interchange.ts';
import { readRawReviews } from '../../recsys/data/raw-reviews.ts';
import { readLines } from '../../recsys/data/lines.ts';
import { pairKey } from '../../recsys/data/rows.ts';
import { collect, fixture, rejection, tempDir } from './helpers.ts';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';

/** The error must be an InputError that names the file, the line and what was expected. */
async function expectInputError(p: Promise<unknown>, file: string, line: number, expected: RegExp, field?: string) {
  const err = await rejection(p);
  expect(err).toBeInstanceOf(InputError);
  const e = err as InputError;
  expect(e.location.file).toBe(file);
  expect(e.location.line).toBe(line);
  if (field !== undefined) expect(e.location.field).toBe(field);
  expect(e.message).toContain(file.split('/').pop()!);
  expect(e.message).toContain(`:${line}`);
  expect(e.expected).toMatch(expected);
  expect(e.message).toMatch(expected);
  return e;
}

describe('lines', () => {
  it('skips blank lines but keeps the editor line numbers, strips CRLF and BOM', async () => {
    const dir = await tempDir('lines');
    const f = join(dir, 'crlf.txt');
    await writeFile(f, '\ufefffirst\r\n\r\n  \r\nsecond\r\nthird');
    expect(await collect(readLines(f))).toEqual([
      { line: 'first', lineNumber: 1 },
      { line: 'second', lineNumber: 4 },
      { line: 'third', lineNumber: 5 },
    ]);
  });

  it('a missing file is an InputError naming it', async () => {
    const err = await rejection(collect(readLines('/nonexistent/reviews.json')));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain('/nonexistent/reviews.json');
  });
});

describe('Amazon Sentires lines (brief §1.2 a)', () => {
  it('parses users, items and triplets, dropping ":extra", empty and one-part segments', async () => {
    const f = fixture('amazon-sentires.txt');
    const rows = await collect(parseAmazonSentires(f));
    expect(rows.map((r) => [r.user, r.item, r.triplets, r.source.line])).toEqual([
      ['A1', 'B1', [['screen', 'bright', 1], ['battery life', 'short', -1], ['price', 'low', 1]], 1],
      ['A1', 'B2', [['screen', 'dim', -1]], 2],
      ['A2', 'B1', [['battery life', 'long', 1]], 4],
      // '@' inside the triplet text survives, as in the reference's line[len(user)+len(item)+3:]
      ['A2', 'B3', [['email@home', 'fine', 1]], 5],
    ]);
    expect(rows[0].source.file).toBe(f);
    expect(rows[0].time).toBeUndefined();
  });

  it('sentiment "+2" is an InputError at file:2, field triplets[0][2]', async () => {
    const e = await expectInputError(collect(parseAmazonSentires(fixture('amazon-bad-sentiment.txt'))), fixture('amazon-bad-sentiment.txt'), 2, /"\+1" or "-1"/, 'triplets[0][2]');
    expect(e.got).toBe('+2');
  });

  it('a line without the @ fields is an InputError at its line', async () => {
    await expectInputError(collect(parseAmazonSentires(fixture('amazon-missing-at.txt'))), fixture('amazon-missing-at.txt'), 2, /'@'-separated/);
  });

  it('feature|opinion without a sentiment is an InputError (the reference crashes there)', async () => {
    await expectInputError(collect(parseAmazonSentires(fixture('amazon-missing-sentiment.txt'))), fixture('amazon-missing-sentiment.txt'), 2, /"\+1" or "-1"/);
  });

  /** The reference's parse of one line, by hand: its triplet text is line[len(user)+len(item)+3:]. */
  const parse = (line: string) => parseAmazonSentiresLine(line, 'cds.txt', 7);
  const refuse = (line: string) => {
    try {
      parse(line);
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return e as InputError;
    }
    throw new Error(`accepted ${line}`);
  };

  it('user@item@@…: the triplets after "@@", as the reference (":sentence" dropped, "@" in it harmless)', () => {
    const row = parse('U1@I1@@price|great|+1:great price, mail me @ home||screen|dim|-1:the screen is dim');
    expect([row.user, row.item, row.triplets]).toEqual(['U1', 'I1', [['price', 'great', 1], ['screen', 'dim', -1]]]);
    expect(row.source).toEqual({ file: 'cds.txt', line: 7 });
  });

  it('user@item, user@item@ and user@item@@: a review without triplets, as the reference', () => {
    for (const line of ['U1@I1', 'U1@I1@', 'U1@I1@@']) expect(parse(line), line).toMatchObject({ user: 'U1', item: 'I1', triplets: [] });
  });

  it('a non-empty third field is refused at its line, field 3 (the reference would make "@screen" or "0@screen")', () => {
    for (const [line, third] of [['U1@I1@0@screen|bright|+1', '0'], ['U1@I1@10@screen|bright|+1', '10'], ['U1@I1@screen|bright|+1', 'screen|bright|+1']]) {
      const e = refuse(line);
      expect(e.location).toEqual({ file: 'cds.txt', line: 7, field: '3' });
      expect(e.got).toBe(third);
      expect(e.message).toMatch(/^cds\.txt:7 \(field 3\): expected an empty third field/);
    }
  });

  it('no "@", an empty user or an empty item is refused, naming the field', () => {
    expect(refuse('U1 I1 screen|bright|+1').location).toEqual({ file: 'cds.txt', line: 7, field: 'line' });
    expect(refuse('@I1@@screen|bright|+1').location.field).toBe('user');
    expect(refuse('U1@@@screen|bright|+1').location.field).toBe('item');
  });
});

describe('Yelp Sentires JSON lines (brief §1.2 b)', () => {
  it('template gives one triplet, sentence gives all, template wins over sentence; rating kept', async () => {
    const rows = await collect(parseYelpSentires(fixture('yelp-sentires.jsonl')));
    expect(rows.map((r) => [r.user, r.item, r.triplets, r.rating])).toEqual([
      ['U1', 'R1', [['service', 'friendly', 1]], 4],
      ['U1', 'R2', [['food', 'cold', -1], ['price', 'fair', 1]], undefined],
      ['U2', 'R1', [['food', 'great', 1]], undefined],
    ]);
  });

  it('template sentiment 2 is an InputError naming the field', async () => {
    const f = fixture('yelp-bad-sentiment.jsonl');
    const e = await expectInputError(collect(parseYelpSentires(f)), f, 2, /1 or -1/, 'template[3]');
    expect(e.got).toBe('2');
  });

  it('a record with neither template nor sentence is an InputError', async () => {
    const f = fixture('yelp-no-triplets.jsonl');
    await expectInputError(collect(parseYelpSentires(f)), f, 1, /template/);
  });
});

describe('interchange JSON lines', () => {
  it('parses numbers and strings as time, optional rating, empty triplets', async () => {
    const rows = await collect(parseInterchange(fixture('interchange.jsonl')));
    expect(rows.map((r) => [r.user, r.item, r.time, r.rating, r.triplets, r.source.line])).toEqual([
      ['u1', 'i1', 1400000000, 5, [['screen', 'bright', 1], ['battery life', 'short', -1]], 1],
      ['u1', 'i2', 1400003600, undefined, [], 3],
    ]);
  });

  it('broken JSON → InputError at its line', async () => {
    const f = fixture('interchange-broken-json.jsonl');
    await expectInputError(collect(parseInterchange(f)), f, 2, /one JSON value per line/);
  });

  it('missing "time" → InputError naming the field', async () => {
    const f = fixture('interchange-missing-field.jsonl');
    const e = await expectInputError(collect(parseInterchange(f)), f, 3, /number \(unix seconds\) or a date string/, 'time');
    expect(e.got).toMatch(/missing/);
  });

  it('sentiment "+1" as a string → InputError at triplets[0][2]', async () => {
    const f = fixture('interchange-wrong-type.jsonl');
    const e = await expectInputError(collect(parseInterchange(f)), f, 1, /sentiment 1 or -1/, 'triplets[0][2]');
    expect(e.got).toBe('"+1"');
  });

  it('wrong type of user → InputError with the expected type', () => {
    expect(() => parseInterchangeLine('{"user": 7, "item": "i", "time": 1, "triplets": []}', 'x.jsonl', 9)).toThrow(/x\.jsonl:9 \(field user\): expected string, got 7/);
  });

  it('writer and reader round-trip, with a fixed key order', async () => {
    const dir = await tempDir('ix');
    const f = join(dir, 'out.jsonl');
    const recs = [
      { user: 'a', item: 'b', time: 5, rating: 3, triplets: [['f', 'o', -1]] as [string, string, -1][] },
      { triplets: [], time: '2020-01-01', item: 'c', user: 'a' },
    ];
    await writeInterchange(f, recs);
    expect(formatInterchangeLine(recs[1])).toBe('{"user":"a","item":"c","time":"2020-01-01","triplets":[]}');
    const back = await collect(parseInterchange(f));
    expect(back.map(({ source: _s, ...r }) => r)).toEqual([recs[0], { user: 'a', item: 'c', time: '2020-01-01', triplets: [] }]);
  });
});

describe('raw review dumps', () => {
  it('Amazon: first occurrence of a pair wins; rating optional; only wanted pairs kept', async () => {
    const f = fixture('amazon-reviews.json');
    const all = await readRawReviews(f, 'amazon');
    expect([...all.values()].map((p) => [p.user, p.item, p.time, p.rating, p.source.line])).toEqual([
      ['A1', 'B1', 1400000000, 5, 1],
      ['A1', 'B2', 1300000000, 3, 3],
      ['A2', 'B1', 1350000000, undefined, 4],
    ]);
    const some = await readRawReviews(f, 'amazon', (k) => k === pairKey('A2', 'B1'));
    expect([...some.keys()]).toEqual([pairKey('A2', 'B1')]);
  });

  it('Yelp: date strings and stars', async () => {
    const m = await readRawReviews(fixture('yelp-reviews.json'), 'yelp');
    expect([...m.values()].map((p) => [p.user, p.item, p.time, p.rating])).toEqual([
      ['U1', 'R1', '2016-07-01 12:00:00', 4],
      ['U1', 'R2', '2015-01-31 08:30:00', 2],
      ['U2', 'R1', '2017-12-24 20:00:00', undefined],
    ]);
  });

  it('a missing unixReviewTime is an InputError even for a pair nobody wants', async () => {
    const f = fixture('amazon-reviews-missing-time.json');
    await expectInputError(readRawReviews(f, 'amazon', () => false), f, 2, /number/, 'unixReviewTime');
  });

  it('Amazon lines read as Yelp: InputError on user_id', async () => {
    const f = fixture('amazon-reviews.json');
    await expectInputError(readRawReviews(f, 'yelp'), f, 1, /string/, 'user_id');
  });
});
