/** The one way terminal tables pad their columns and durations read (report/text.ts). */
import { describe, expect, it } from 'vitest';
import { columnWidths, formatDuration, padRow, ruleRow } from '../../report/text.ts';

describe('text columns', () => {
  it('widths are the widest cell of each column; cells pad on the side asked', () => {
    const rows = [['model', 'NDCG@5'], ['cer', '0.2734'], ['overlap', '0.1']];
    const widths = columnWidths(rows);
    expect(widths).toEqual([7, 6]);
    expect(padRow(rows[1], widths)).toEqual(['cer    ', '0.2734']);
    expect(padRow(rows[2], widths, (k) => (k === 0 ? 'left' : 'right'))).toEqual(['overlap', '   0.1']);
    expect(ruleRow(widths)).toEqual(['───────', '──────']);
  });

  it('durations: seconds under 90 s, minutes under 90 min, then hours with one decimal', () => {
    expect([0.4, 42, 89.4, 89.6, 150, 5399, 5400, 9000].map(formatDuration)).toEqual(['0 s', '42 s', '89 s', '90 s', '3 min', '90 min', '1.5 h', '2.5 h']);
  });
});
