import { describe, expect, it } from 'vitest';
import { dayClass, localStep, localToUtc, utcOffsetMs } from './calendar.js';
import { ForecastInputError } from './model.js';

const tz = 'Europe/Berlin';
describe('local time', () => {
  it('knows CET/CEST and the DST change instants of 2023', () => {
    expect(utcOffsetMs(tz, Date.parse('2023-01-15T12:00:00Z'))).toBe(3_600_000);
    expect(utcOffsetMs(tz, Date.parse('2023-03-26T00:59:59Z'))).toBe(3_600_000);
    expect(utcOffsetMs(tz, Date.parse('2023-03-26T01:00:00Z'))).toBe(7_200_000);
    expect(utcOffsetMs(tz, Date.parse('2023-10-29T01:00:00Z'))).toBe(3_600_000);
  });
  it('converts local wall time to UTC on normal and DST days', () => {
    expect(localToUtc(tz, '2023-01-15', 0)).toBe(Date.parse('2023-01-14T23:00:00Z'));
    expect(localToUtc(tz, '2023-07-01', 12 * 60)).toBe(Date.parse('2023-07-01T10:00:00Z'));
    expect(localToUtc(tz, '2023-03-26', 0)).toBe(Date.parse('2023-03-25T23:00:00Z'));
    expect(localToUtc(tz, '2023-03-27', 0) - localToUtc(tz, '2023-03-26', 0)).toBe(23 * 3_600_000);
    expect(localToUtc(tz, '2023-10-30', 0) - localToUtc(tz, '2023-10-29', 0)).toBe(25 * 3_600_000);
    expect(localStep(tz, Date.parse('2023-10-29T00:30:00Z'))).toEqual({ date: '2023-10-29', minuteOfDay: 150 });
    expect(localStep(tz, Date.parse('2023-10-29T01:30:00Z'))).toEqual({ date: '2023-10-29', minuteOfDay: 150 });
  });
  it('rejects an unknown zone with a clear error', () => {
    expect(() => utcOffsetMs('Mars/Olympus', 0)).toThrow(ForecastInputError);
  });
});

describe('dayClass', () => {
  it.each([
    ['2023-05-15', 'mon'],
    ['2023-05-17', 'mid'],
    ['2023-05-18', 'sun'], // Christi Himmelfahrt
    ['2023-05-19', 'bridge'],
    ['2023-05-20', 'sat'],
    ['2023-05-21', 'sun'],
    ['2023-12-27', 'bridge'],
    ['2023-12-29', 'bridge'],
  ] as const)('%s in Hessen is %s', (date, cls) => expect(dayClass(date, { timeZone: tz, state: 'HE' })).toBe(cls));
  it('without a state, holidays are ordinary days; offDays count as holidays', () => {
    expect(dayClass('2023-05-18', { timeZone: tz })).toBe('mid');
    expect(dayClass('2023-05-19', { timeZone: tz })).toBe('fri');
    expect(dayClass('2023-08-07', { timeZone: tz, offDays: ['2023-08-07'] })).toBe('sun');
  });
});
