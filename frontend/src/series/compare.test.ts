import { describe, expect, it } from 'vitest';
import { compareId, meanOf, previousPeriodLine } from './compare';

describe('comparison of periods', () => {
  const line = {
    id: 7,
    name: 'Grid',
    unit: 'W',
    color: '#000',
    points: [
      { t: 0, value: 2 },
      { t: 10, value: 4 },
    ],
    gaps: [{ from: 3, to: 5 }],
  };

  it('moves the earlier period under the current one', () => {
    const prev = previousPeriodLine(line, 100, 'Grid (previous 24 h)', '#aaa');
    expect(prev).toEqual({
      id: -7,
      name: 'Grid (previous 24 h)',
      unit: 'W',
      color: '#aaa',
      points: [
        { t: 100, value: 2 },
        { t: 110, value: 4 },
      ],
      gaps: [{ from: 103, to: 105 }],
    });
    expect(compareId(7)).toBe(-7);
  });

  it('means', () => {
    expect(meanOf(line)).toBe(3);
    expect(meanOf({ ...line, points: [] })).toBeNull();
  });
});
