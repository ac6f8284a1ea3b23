import { describe, expect, it } from 'vitest';
import { bussUndBettag, easterSunday, germanHolidays, holidayName, isBridgeDay, isHoliday, isWorkingDay, weekdayOf } from './holidays.js';

describe('easterSunday', () => {
  it.each([
    [2000, '2000-04-23'],
    [2008, '2008-03-23'],
    [2011, '2011-04-24'],
    [2018, '2018-04-01'],
    [2019, '2019-04-21'],
    [2023, '2023-04-09'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2038, '2038-04-25'],
  ])('%i → %s', (year, date) => expect(easterSunday(year)).toBe(date));
});

describe('bussUndBettag', () => {
  it.each([
    [2022, '2022-11-16'],
    [2023, '2023-11-22'],
    [2024, '2024-11-20'],
    [2025, '2025-11-19'],
    [2026, '2026-11-18'],
  ])('%i → %s (a Wednesday)', (year, date) => {
    expect(bussUndBettag(year)).toBe(date);
    expect(weekdayOf(date)).toBe(2);
  });
});

describe('germanHolidays', () => {
  it('Bavaria 2023: the 12 statewide holidays, Fronleichnam on 8 June', () => {
    const h = germanHolidays(2023, 'BY');
    expect(h.map((x) => x.date)).toEqual([
      '2023-01-01',
      '2023-01-06',
      '2023-04-07',
      '2023-04-10',
      '2023-05-01',
      '2023-05-18',
      '2023-05-29',
      '2023-06-08',
      '2023-10-03',
      '2023-11-01',
      '2023-12-25',
      '2023-12-26',
    ]);
    expect(holidayName('2023-06-08', 'BY')).toBe('Fronleichnam');
  });

  it.each([
    ['BE', 2023, 10, '2023-03-08'],
    ['HE', 2023, 10, '2023-06-08'],
    ['SN', 2023, 11, '2023-11-22'],
    ['TH', 2023, 11, '2023-09-20'],
    ['SL', 2023, 12, '2023-08-15'],
    ['MV', 2023, 11, '2023-03-08'],
    ['NI', 2023, 10, '2023-10-31'],
    ['BB', 2023, 12, '2023-04-09'],
  ] as const)('%s %i has %i holidays incl. %s', (state, year, count, date) => {
    expect(germanHolidays(year, state)).toHaveLength(count);
    expect(isHoliday(date, state)).toBe(true);
  });

  it('state changes over the years: Reformationstag in NI from 2018, nationwide in 2017', () => {
    expect(isHoliday('2016-10-31', 'NI')).toBe(false);
    expect(isHoliday('2017-10-31', 'NI')).toBe(true);
    expect(isHoliday('2017-10-31', 'BY')).toBe(true);
    expect(isHoliday('2018-10-31', 'BY')).toBe(false);
    expect(isHoliday('2018-10-31', 'HH')).toBe(true);
    expect(isHoliday('2018-03-08', 'BE')).toBe(false);
    expect(isHoliday('2019-03-08', 'BE')).toBe(true);
    expect(isHoliday('2022-03-08', 'MV')).toBe(false);
  });

  it('DE gives the nationwide days only', () => {
    expect(germanHolidays(2023, 'DE')).toHaveLength(9);
    expect(isHoliday('2023-06-08', 'DE')).toBe(false);
    expect(isHoliday('2023-12-24', 'BY')).toBe(false);
  });

  it('rejects unknown states and years outside the valid range', () => {
    expect(() => germanHolidays(2023, 'XX' as 'BY')).toThrow(/unknown state "XX"/);
    expect(() => germanHolidays(1990, 'BY')).toThrow(/1995/);
  });
});

describe('working and bridge days', () => {
  it('Friday after Ascension is a bridge day; a plain Friday is not', () => {
    expect(isBridgeDay('2023-05-19', 'HE')).toBe(true);
    expect(isBridgeDay('2023-05-12', 'HE')).toBe(false);
    // Fronleichnam is a holiday in HE, not in NI → bridge only in HE
    expect(isBridgeDay('2023-06-09', 'HE')).toBe(true);
    expect(isBridgeDay('2023-06-09', 'NI')).toBe(false);
    // Monday before Tuesday 3 Oct 2023
    expect(isBridgeDay('2023-10-02', 'DE')).toBe(true);
    expect(isBridgeDay('2023-05-19', undefined)).toBe(false);
  });
  it('weekends and holidays are not working days', () => {
    expect(isWorkingDay('2023-05-20', 'HE')).toBe(false);
    expect(isWorkingDay('2023-05-18', 'HE')).toBe(false);
    expect(isWorkingDay('2023-05-17', 'HE')).toBe(true);
  });
});
