import { describe, expect, it } from 'vitest';
import type { Quality } from './model.js';
import {
  localToUtc,
  parseIsoWithOffset,
  parseUnit,
  registersToIntervals,
  resolveLocalSequence,
  worseQuality,
  type DstPolicy,
  type LocalDateTime,
  type LocalToUtcResult,
  type RegisterSample,
} from './normalise.js';

// ---- fixture builders --------------------------------------------------------------------------

/** '2025-10-26 02:30' or '2025-10-26 02:30:15' → LocalDateTime */
function local(text: string): LocalDateTime {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) throw new Error(`bad fixture ${text}`);
  const [, year, month, day, hour, minute, second] = m.map(Number) as number[];
  return { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: Number.isNaN(second) ? 0 : second! };
}

const utc = (iso: string): number => Date.parse(iso);
const ok = (iso: string, ambiguous = false): LocalToUtcResult => ({ ok: true, tsMs: utc(iso), ambiguous });

const MIN_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * The local timestamps of one day as a German load-profile export writes them (interval start,
 * wall clock): every `stepMin` minutes from 00:00; on the autumn change day the 02:xx times come
 * twice, on the spring change day not at all.
 */
function exportDay(date: string, stepMin: number, change: 'none' | 'spring' | 'autumn'): string[] {
  const times: string[] = [];
  for (let m = 0; m < 24 * 60; m += stepMin) {
    const hh = String(Math.floor(m / 60)).padStart(2, '0');
    const mm = String(m % 60).padStart(2, '0');
    if (change === 'spring' && hh === '02') continue;
    times.push(`${date} ${hh}:${mm}`);
    if (change === 'autumn' && hh === '02' && m % 60 === 60 - stepMin) {
      for (let r = 0; r < 60; r += stepMin) times.push(`${date} 02:${String(r).padStart(2, '0')}`);
    }
  }
  return times;
}

// ---- units -------------------------------------------------------------------------------------

describe('parseUnit', () => {
  const POWER = ['active_power'];
  const ENERGY = ['energy_import', 'energy_export', 'energy'];
  it.each<[string, string, string, string, number, string[]]>([
    ['plain watt', 'W', 'W', 'W', 1, POWER],
    ['kilowatt as in grid-operator exports', 'kW', 'kW', 'W', 1000, POWER],
    ['kilowatt written KW', 'KW', 'KW', 'W', 1000, POWER],
    ['kilowatt written kw', 'kw', 'kw', 'W', 1000, POWER],
    ['megawatt', 'MW', 'MW', 'W', 1e6, POWER],
    ['milliwatt is not megawatt', 'mW', 'mW', 'W', 0.001, POWER],
    ['gigawatt', 'GW', 'GW', 'W', 1e9, POWER],
    ['watt-hour', 'Wh', 'Wh', 'Wh', 1, ENERGY],
    ['kilowatt-hour', 'kWh', 'kWh', 'Wh', 1000, ENERGY],
    ['kilowatt-hour in square brackets (Lastgang header)', '[kWh]', 'kWh', 'Wh', 1000, ENERGY],
    ['kilowatt-hour in round brackets', '(kWh)', 'kWh', 'Wh', 1000, ENERGY],
    ['kilowatt-hour with spaces', ' kWh ', 'kWh', 'Wh', 1000, ENERGY],
    ['kilowatt-hour written KWH', 'KWH', 'KWH', 'Wh', 1000, ENERGY],
    ['kilowatt-hour written kwh', 'kwh', 'kwh', 'Wh', 1000, ENERGY],
    ['megawatt-hour', 'MWh', 'MWh', 'Wh', 1e6, ENERGY],
    ['gigawatt-hour', 'GWh', 'GWh', 'Wh', 1e9, ENERGY],
    ['reactive power var', 'var', 'var', 'var', 1, ['reactive_power']],
    ['reactive power kvar', 'kvar', 'kvar', 'var', 1000, ['reactive_power']],
    ['reactive power kVAr', 'kVAr', 'kVAr', 'var', 1000, ['reactive_power']],
    ['reactive power Mvar', 'Mvar', 'Mvar', 'var', 1e6, ['reactive_power']],
    ['state of charge', '%', '%', '%', 1, ['state_of_charge']],
    ['temperature °C', '°C', '°C', '°C', 1, ['temperature']],
    ['temperature degC', 'degC', 'degC', '°C', 1, ['temperature']],
    ['irradiance W/m²', 'W/m²', 'W/m²', 'W/m²', 1, ['irradiance']],
    ['irradiance W/m2', 'W/m2', 'W/m2', 'W/m²', 1, ['irradiance']],
    ['irradiance W/qm (German)', 'W/qm', 'W/qm', 'W/m²', 1, ['irradiance']],
    ['voltage', 'V', 'V', 'V', 1, ['voltage']],
    ['medium voltage kV', 'kV', 'kV', 'V', 1000, ['voltage']],
    ['current', 'A', 'A', 'A', 1, ['current']],
    ['frequency', 'Hz', 'Hz', 'Hz', 1, ['frequency']],
    ['day-ahead price EUR/MWh', 'EUR/MWh', 'EUR/MWh', 'EUR/MWh', 1, ['price']],
    ['day-ahead price €/MWh', '€/MWh', '€/MWh', 'EUR/MWh', 1, ['price']],
    ['tariff ct/kWh', 'ct/kWh', 'ct/kWh', 'EUR/MWh', 10, ['price']],
    ['tariff EUR/kWh', 'EUR/kWh', 'EUR/kWh', 'EUR/MWh', 1000, ['price']],
    ['tariff with spaces around the slash', 'EUR / MWh', 'EUR / MWh', 'EUR/MWh', 1, ['price']],
  ])('%s: %j', (_name, text, unit, canonical, factor, quantities) => {
    expect(parseUnit(text)).toEqual({ unit, canonical, factor, quantities });
  });

  it.each<[string, string]>([
    ['apparent power VA is not a quantity', 'VA'],
    ['apparent power kVA is not a quantity', 'kVA'],
    ['a bare C is not taken for °C', 'C'],
    ['all-lower-case mw cannot tell milli from mega', 'mw'],
    ['empty', ''],
    ['empty brackets', '[]'],
    ['unknown unit', 'PS'],
    ['prefix that the base does not take', 'kHz'],
    ['kelvin', 'K'],
  ])('%s: %j is unknown', (_name, text) => {
    expect(parseUnit(text)).toBeUndefined();
  });

  it('returns a fresh quantities array each time (callers may not corrupt the table)', () => {
    const first = parseUnit('kWh');
    first?.quantities.pop();
    expect(parseUnit('kWh')?.quantities).toEqual(ENERGY);
  });
});

// ---- single local times ------------------------------------------------------------------------

describe('localToUtc', () => {
  const EARLIER: DstPolicy = { ambiguous: 'earlier', nonexistent: 'shift_forward' };
  const LATER: DstPolicy = { ambiguous: 'later', nonexistent: 'shift_forward' };
  const STRICT: DstPolicy = { ambiguous: 'reject', nonexistent: 'reject' };

  it.each<[string, string, string, DstPolicy, LocalToUtcResult]>([
    ['Berlin winter time', '2025-01-15 12:00', 'Europe/Berlin', STRICT, ok('2025-01-15T11:00:00Z')],
    ['Berlin summer time', '2025-07-15 12:00', 'Europe/Berlin', STRICT, ok('2025-07-15T10:00:00Z')],
    ['Berlin with seconds', '2025-07-15 12:00:15', 'Europe/Berlin', STRICT, ok('2025-07-15T10:00:15Z')],
    ['Berlin spring day, last minute before the jump', '2025-03-30 01:59', 'Europe/Berlin', STRICT, ok('2025-03-30T00:59:00Z')],
    ['Berlin spring day, first minute after the jump', '2025-03-30 03:00', 'Europe/Berlin', STRICT, ok('2025-03-30T01:00:00Z')],
    [
      'Berlin spring day 02:30 does not exist (reject)',
      '2025-03-30 02:30',
      'Europe/Berlin',
      STRICT,
      { ok: false, reason: '02:30 on 2025-03-30 does not exist in Europe/Berlin (clocks jump from 02:00 to 03:00)' },
    ],
    ['Berlin spring day 02:30 shifted forward to 03:30 CEST', '2025-03-30 02:30', 'Europe/Berlin', EARLIER, ok('2025-03-30T01:30:00Z')],
    ['Berlin spring day 02:00 shifted forward to 03:00 CEST', '2025-03-30 02:00', 'Europe/Berlin', EARLIER, ok('2025-03-30T01:00:00Z')],
    ['Berlin autumn day 02:30 earlier = CEST', '2025-10-26 02:30', 'Europe/Berlin', EARLIER, ok('2025-10-26T00:30:00Z', true)],
    ['Berlin autumn day 02:30 later = CET', '2025-10-26 02:30', 'Europe/Berlin', LATER, ok('2025-10-26T01:30:00Z', true)],
    [
      'Berlin autumn day 02:30 ambiguous (reject)',
      '2025-10-26 02:30',
      'Europe/Berlin',
      STRICT,
      {
        ok: false,
        reason: '02:30 on 2025-10-26 occurs twice in Europe/Berlin (clocks go back from 03:00 to 02:00, so 02:00–02:59 is repeated)',
      },
    ],
    ['Berlin autumn day 01:59 is still unique', '2025-10-26 01:59', 'Europe/Berlin', STRICT, ok('2025-10-25T23:59:00Z')],
    ['Berlin autumn day 03:00 is unique (CET)', '2025-10-26 03:00', 'Europe/Berlin', STRICT, ok('2025-10-26T02:00:00Z')],
    ['Berlin autumn day 2024 earlier', '2024-10-27 02:15', 'Europe/Berlin', EARLIER, ok('2024-10-27T00:15:00Z', true)],
    ['Berlin autumn day 2024 later', '2024-10-27 02:15', 'Europe/Berlin', LATER, ok('2024-10-27T01:15:00Z', true)],
    [
      'New York spring day 02:30 does not exist',
      '2025-03-09 02:30',
      'America/New_York',
      STRICT,
      { ok: false, reason: '02:30 on 2025-03-09 does not exist in America/New_York (clocks jump from 02:00 to 03:00)' },
    ],
    ['New York spring day 02:30 shifted forward to 03:30 EDT', '2025-03-09 02:30', 'America/New_York', EARLIER, ok('2025-03-09T07:30:00Z')],
    ['New York autumn day 01:30 earlier = EDT', '2025-11-02 01:30', 'America/New_York', EARLIER, ok('2025-11-02T05:30:00Z', true)],
    ['New York autumn day 01:30 later = EST', '2025-11-02 01:30', 'America/New_York', LATER, ok('2025-11-02T06:30:00Z', true)],
    [
      'New York autumn day 01:30 ambiguous (reject)',
      '2025-11-02 01:30',
      'America/New_York',
      STRICT,
      {
        ok: false,
        reason: '01:30 on 2025-11-02 occurs twice in America/New_York (clocks go back from 02:00 to 01:00, so 01:00–01:59 is repeated)',
      },
    ],
    ['Sydney autumn (April) 02:30 earlier = AEDT', '2025-04-06 02:30', 'Australia/Sydney', EARLIER, ok('2025-04-05T15:30:00Z', true)],
    ['Sydney autumn (April) 02:30 later = AEST', '2025-04-06 02:30', 'Australia/Sydney', LATER, ok('2025-04-05T16:30:00Z', true)],
    ['Kolkata has no DST (+05:30), Berlin change day is ordinary', '2025-03-30 02:30', 'Asia/Kolkata', STRICT, ok('2025-03-29T21:00:00Z')],
    ['UTC is identity', '2025-10-26 02:30', 'UTC', STRICT, ok('2025-10-26T02:30:00Z')],
    ['leap day exists in 2024', '2024-02-29 12:00', 'Europe/Berlin', STRICT, ok('2024-02-29T11:00:00Z')],
  ])('%s', (_name, text, zone, policy, expected) => {
    expect(localToUtc(local(text), zone, policy)).toEqual(expected);
  });

  it.each<[string, LocalDateTime, string, string]>([
    ['month 13', { ...local('2025-12-01 00:00'), month: 13 }, 'Europe/Berlin', 'month 13 is out of range 1–12'],
    ['30 February', { ...local('2025-02-01 00:00'), day: 30 }, 'Europe/Berlin', 'day 30 does not exist in 2025-02 (28 days)'],
    [
      '29 February in a common year',
      { ...local('2025-02-01 00:00'), day: 29 },
      'Europe/Berlin',
      'day 29 does not exist in 2025-02 (28 days)',
    ],
    ['hour 24', { ...local('2025-06-01 00:00'), hour: 24 }, 'Europe/Berlin', 'hour 24 is out of range 0–23'],
    ['minute 60', { ...local('2025-06-01 00:00'), minute: 60 }, 'Europe/Berlin', 'minute 60 is out of range 0–59'],
    ['fractional minute', { ...local('2025-06-01 00:00'), minute: 1.5 }, 'Europe/Berlin', 'minute 1.5 is not a whole number'],
    ['day 0', { ...local('2025-06-01 00:00'), day: 0 }, 'Europe/Berlin', 'day 0 is out of range 1–31'],
    ['unknown zone', local('2025-06-01 00:00'), 'Europe/Atlantis', "unknown time zone 'Europe/Atlantis'"],
  ])('rejects %s', (_name, input, zone, reason) => {
    expect(localToUtc(input, zone, STRICT)).toEqual({ ok: false, reason });
  });
});

// ---- sequences (load profiles) -----------------------------------------------------------------

describe('resolveLocalSequence', () => {
  const SHIFT = { nonexistent: 'shift_forward' } as const;
  const REJECT = { nonexistent: 'reject' } as const;

  /** expected: consecutive UTC instants `stepMs` apart from `firstIso`, all unambiguous */
  const evenlySpaced = (count: number, firstIso: string, stepMs: number): LocalToUtcResult[] =>
    Array.from({ length: count }, (_, i) => ({ ok: true, tsMs: utc(firstIso) + i * stepMs, ambiguous: false }));

  it.each<[string, string[], string, number, string, number]>([
    [
      'Berlin autumn day 2025, 15 min: 100 intervals',
      exportDay('2025-10-26', 15, 'autumn'),
      'Europe/Berlin',
      100,
      '2025-10-25T22:00:00Z',
      15 * MIN_MS,
    ],
    [
      'Berlin spring day 2025, 15 min: 92 intervals',
      exportDay('2025-03-30', 15, 'spring'),
      'Europe/Berlin',
      92,
      '2025-03-29T23:00:00Z',
      15 * MIN_MS,
    ],
    [
      'Berlin autumn day 2024, hourly: 25 hours',
      exportDay('2024-10-27', 60, 'autumn'),
      'Europe/Berlin',
      25,
      '2024-10-26T22:00:00Z',
      HOUR_MS,
    ],
    [
      'Berlin spring day 2025, hourly: 23 hours',
      exportDay('2025-03-30', 60, 'spring'),
      'Europe/Berlin',
      23,
      '2025-03-29T23:00:00Z',
      HOUR_MS,
    ],
    [
      'Berlin ordinary day, 15 min: 96 intervals',
      exportDay('2025-06-01', 15, 'none'),
      'Europe/Berlin',
      96,
      '2025-05-31T22:00:00Z',
      15 * MIN_MS,
    ],
    [
      'Berlin three days across the autumn change, hourly: 73 hours',
      [...exportDay('2025-10-25', 60, 'none'), ...exportDay('2025-10-26', 60, 'autumn'), ...exportDay('2025-10-27', 60, 'none')],
      'Europe/Berlin',
      73,
      '2025-10-24T22:00:00Z',
      HOUR_MS,
    ],
    [
      'Berlin two days across the spring change, 15 min: 188 intervals',
      [...exportDay('2025-03-29', 15, 'none'), ...exportDay('2025-03-30', 15, 'spring')],
      'Europe/Berlin',
      188,
      '2025-03-28T23:00:00Z',
      15 * MIN_MS,
    ],
  ])('%s', (_name, texts, zone, count, firstIso, stepMs) => {
    expect(texts).toHaveLength(count);
    expect(resolveLocalSequence(texts.map(local), zone, SHIFT)).toEqual(evenlySpaced(count, firstIso, stepMs));
  });

  it('New York autumn day: the repeated 01:00 hour resolves by order (EDT, then EST)', () => {
    const texts = ['2025-11-02 00:00', '2025-11-02 01:00', '2025-11-02 01:30', '2025-11-02 01:00', '2025-11-02 01:30', '2025-11-02 02:00'];
    const expected = ['04:00', '05:00', '05:30', '06:00', '06:30', '07:00'].map((t) => ok(`2025-11-02T${t}:00Z`));
    expect(resolveLocalSequence(texts.map(local), 'America/New_York', REJECT)).toEqual(expected);
  });

  it.each<[string, string[], DstPolicy['nonexistent'], LocalToUtcResult[]]>([
    [
      'a nonexistent spring time is rejected under reject',
      ['2025-03-30 01:45', '2025-03-30 02:30', '2025-03-30 03:00'],
      'reject',
      [
        ok('2025-03-30T00:45:00Z'),
        { ok: false, reason: '02:30 on 2025-03-30 does not exist in Europe/Berlin (clocks jump from 02:00 to 03:00)' },
        ok('2025-03-30T01:00:00Z'),
      ],
    ],
    [
      'a nonexistent spring time is shifted under shift_forward',
      ['2025-03-30 01:45', '2025-03-30 02:30', '2025-03-30 03:45'],
      'shift_forward',
      [ok('2025-03-30T00:45:00Z'), ok('2025-03-30T01:30:00Z'), ok('2025-03-30T01:45:00Z')],
    ],
    [
      'a repeated time as the very first entry: no order to go by, earlier and flagged, and so is what hangs on it',
      ['2025-10-26 02:30', '2025-10-26 02:45', '2025-10-26 03:00'],
      'reject',
      [ok('2025-10-26T00:30:00Z', true), ok('2025-10-26T00:45:00Z', true), ok('2025-10-26T02:00:00Z')],
    ],
    [
      'out of order (written backwards): falls back to earlier, flagged',
      ['2025-10-26 03:00', '2025-10-26 02:45', '2025-10-26 02:30'],
      'reject',
      [ok('2025-10-26T02:00:00Z'), ok('2025-10-26T00:45:00Z', true), ok('2025-10-26T00:30:00Z', true)],
    ],
    [
      'only the second pass present after a summer-time entry 01:45 → 02:15 is taken as first pass',
      ['2025-10-26 01:45', '2025-10-26 02:15'],
      'reject',
      [ok('2025-10-25T23:45:00Z'), ok('2025-10-26T00:15:00Z')],
    ],
    [
      'an invalid field in the middle is rejected and does not disturb the order',
      ['2025-10-26 01:45', '2025-10-26 02:45', '2025-10-26 02:61', '2025-10-26 02:00'],
      'reject',
      [
        ok('2025-10-25T23:45:00Z'),
        ok('2025-10-26T00:45:00Z'),
        { ok: false, reason: 'minute 61 is out of range 0–59' },
        ok('2025-10-26T01:00:00Z'),
      ],
    ],
  ])('%s', (_name, texts, nonexistent, expected) => {
    expect(resolveLocalSequence(texts.map(local), 'Europe/Berlin', { nonexistent })).toEqual(expected);
  });

  it('an unknown zone rejects every entry', () => {
    expect(resolveLocalSequence([local('2025-01-01 00:00'), local('2025-01-01 00:15')], 'Nowhere/Zone', REJECT)).toEqual([
      { ok: false, reason: "unknown time zone 'Nowhere/Zone'" },
      { ok: false, reason: "unknown time zone 'Nowhere/Zone'" },
    ]);
  });
});

// ---- ISO 8601 ----------------------------------------------------------------------------------

describe('parseIsoWithOffset', () => {
  it.each<[string, string, number | undefined]>([
    ['summer-time offset on the autumn day', '2025-10-26T02:15:00+02:00', utc('2025-10-26T00:15:00Z')],
    ['winter-time offset on the autumn day', '2025-10-26T02:15:00+01:00', utc('2025-10-26T01:15:00Z')],
    ['Z', '2025-10-26T00:15:00Z', utc('2025-10-26T00:15:00Z')],
    ['lower-case z', '2025-10-26T00:15:00z', utc('2025-10-26T00:15:00Z')],
    ['milliseconds', '2025-10-26T02:15:00.123+02:00', utc('2025-10-26T00:15:00.123Z')],
    ['microseconds are cut to ms', '2025-10-26T02:15:00.123456Z', utc('2025-10-26T02:15:00.123Z')],
    ['one fractional digit', '2025-10-26T02:15:00.5Z', utc('2025-10-26T02:15:00.500Z')],
    ['offset without colon', '2025-10-26T02:15:00+0200', utc('2025-10-26T00:15:00Z')],
    ['offset hours only', '2025-10-26T02:15:00+02', utc('2025-10-26T00:15:00Z')],
    ['negative offset', '2025-11-02T01:30:00-05:00', utc('2025-11-02T06:30:00Z')],
    ['half-hour offset', '2025-03-30T02:30:00+05:30', utc('2025-03-29T21:00:00Z')],
    ['without seconds', '2025-10-26T02:15+02:00', utc('2025-10-26T00:15:00Z')],
    ['space instead of T', '2025-10-26 02:15:00+02:00', utc('2025-10-26T00:15:00Z')],
    ['surrounding whitespace', ' 2025-10-26T00:15:00Z ', utc('2025-10-26T00:15:00Z')],
    ['leap day', '2024-02-29T12:00:00Z', utc('2024-02-29T12:00:00Z')],
    ['no offset is local time, not accepted', '2025-10-26T02:15:00', undefined],
    ['date only', '2025-10-26', undefined],
    ['30 February', '2025-02-30T00:00:00Z', undefined],
    ['29 February in a common year', '2025-02-29T00:00:00Z', undefined],
    ['month 13', '2025-13-01T00:00:00Z', undefined],
    ['hour 24', '2025-10-26T24:00:00Z', undefined],
    ['minute 60', '2025-10-26T00:60:00Z', undefined],
    ['offset beyond 18 h', '2025-10-26T00:00:00+19:00', undefined],
    ['German date format', '26.10.2025 02:15', undefined],
    ['garbage', 'gestern', undefined],
    ['empty', '', undefined],
  ])('%s: %j', (_name, text, expected) => {
    expect(parseIsoWithOffset(text)).toBe(expected);
  });
});

// ---- meter registers ---------------------------------------------------------------------------

describe('registersToIntervals', () => {
  const T0 = utc('2025-01-15T00:00:00Z');
  const at = (minutes: number) => T0 + minutes * MIN_MS;
  /** [minutes after T0, register in Wh, quality?] */
  const samples = (rows: Array<[number, number, Quality?]>): RegisterSample[] =>
    rows.map(([m, valueWh, quality]) => (quality ? { tsMs: at(m), valueWh, quality } : { tsMs: at(m), valueWh }));
  const interval = (fromMin: number, toMin: number, energyWh: number, avgPowerW: number, quality: Quality = 'measured') => ({
    startMs: at(fromMin),
    endMs: at(toMin),
    energyWh,
    avgPowerW,
    quality,
  });

  it.each<[string, RegisterSample[], { rolloverWh?: number; maxGapMs?: number }, ReturnType<typeof registersToIntervals>]>([
    [
      'quarter-hour readings of a commercial meter (kWh register converted to Wh)',
      samples([
        [0, 45_123_456],
        [15, 45_124_706],
        [30, 45_126_206],
      ]),
      {},
      { intervals: [interval(0, 15, 1250, 5000), interval(15, 30, 1500, 6000)], events: [] },
    ],
    [
      'rollover of a 8-digit kWh display (1e8 kWh = 1e11 Wh)',
      samples([
        [0, 99_999_998_500],
        [15, 99_999_999_700],
        [30, 400],
        [45, 1_600],
      ]),
      { rolloverWh: 1e11 },
      {
        intervals: [interval(0, 15, 1200, 4800), interval(15, 30, 700, 2800), interval(30, 45, 1200, 4800)],
        events: [
          { kind: 'rollover', tsMs: at(30), detail: 'register wrapped at 100000000 kWh: 99999999.7 kWh → 0.4 kWh, 0.7 kWh counted' },
        ],
      },
    ],
    [
      'meter replacement: the new meter starts near zero, that interval is not computed',
      samples([
        [0, 45_123_456],
        [15, 45_124_706],
        [30, 12],
        [45, 1_262],
      ]),
      { rolloverWh: 1e11 },
      {
        intervals: [interval(0, 15, 1250, 5000), interval(30, 45, 1250, 5000)],
        events: [
          {
            kind: 'reset',
            tsMs: at(30),
            detail:
              'register fell from 45124.706 kWh to 0.012 kWh at 2025-01-15T00:30:00.000Z (meter replaced or reset); interval 2025-01-15T00:15:00.000Z–2025-01-15T00:30:00.000Z not computed',
          },
        ],
      },
    ],
    [
      'a drop without rolloverWh is a reset even near the top of the register',
      samples([
        [0, 99_999_999_700],
        [15, 400],
      ]),
      {},
      {
        intervals: [],
        events: [
          {
            kind: 'reset',
            tsMs: at(15),
            detail:
              'register fell from 99999999.7 kWh to 0.4 kWh at 2025-01-15T00:15:00.000Z (meter replaced or reset); interval 2025-01-15T00:00:00.000Z–2025-01-15T00:15:00.000Z not computed',
          },
        ],
      },
    ],
    [
      'a drop whose wrapped energy would be half the register or more is a reset, not a rollover',
      samples([
        [0, 30_000_000_000],
        [15, 1_000_000],
      ]),
      { rolloverWh: 1e11 },
      {
        intervals: [],
        events: [
          {
            kind: 'reset',
            tsMs: at(15),
            detail:
              'register fell from 30000000 kWh to 1000 kWh at 2025-01-15T00:15:00.000Z (meter replaced or reset); interval 2025-01-15T00:00:00.000Z–2025-01-15T00:15:00.000Z not computed',
          },
        ],
      },
    ],
    [
      'a gap of two hours: interval kept as estimated, gap reported',
      samples([
        [0, 10_000],
        [15, 11_000],
        [135, 19_000],
      ]),
      {},
      {
        intervals: [interval(0, 15, 1000, 4000), interval(15, 135, 8000, 4000, 'estimated')],
        events: [
          {
            kind: 'gap',
            tsMs: at(135),
            detail: 'no reading for 120 min between 2025-01-15T00:15:00.000Z and 2025-01-15T02:15:00.000Z (limit 60 min)',
          },
        ],
      },
    ],
    [
      'exactly the gap limit is not a gap',
      samples([
        [0, 10_000],
        [60, 14_000],
      ]),
      {},
      { intervals: [interval(0, 60, 4000, 4000)], events: [] },
    ],
    [
      'a custom gap limit of 15 min (quarter-hour RLM meter) and a substituted end stays substituted',
      samples([
        [0, 10_000],
        [30, 12_000, 'substituted'],
      ]),
      { maxGapMs: 15 * MIN_MS },
      {
        intervals: [interval(0, 30, 2000, 4000, 'substituted')],
        events: [
          {
            kind: 'gap',
            tsMs: at(30),
            detail: 'no reading for 30 min between 2025-01-15T00:00:00.000Z and 2025-01-15T00:30:00.000Z (limit 15 min)',
          },
        ],
      },
    ],
    [
      'quality is the worse of the two ends',
      samples([
        [0, 10_000, 'estimated'],
        [15, 11_000],
        [30, 12_000, 'invalid'],
        [45, 13_000, 'substituted'],
      ]),
      {},
      {
        intervals: [
          interval(0, 15, 1000, 4000, 'estimated'),
          interval(15, 30, 1000, 4000, 'invalid'),
          interval(30, 45, 1000, 4000, 'invalid'),
        ],
        events: [],
      },
    ],
    [
      'an exact duplicate (same time, same value) is dropped and reported',
      samples([
        [0, 10_000],
        [15, 11_000],
        [15, 11_000],
        [30, 12_500],
      ]),
      {},
      {
        intervals: [interval(0, 15, 1000, 4000), interval(15, 30, 1500, 6000)],
        events: [{ kind: 'duplicate', tsMs: at(15), detail: 'repeated reading 11 kWh at 2025-01-15T00:15:00.000Z dropped' }],
      },
    ],
    [
      'two different readings at one time: the first is kept and the conflict reported',
      samples([
        [0, 10_000],
        [15, 11_000],
        [15, 11_250],
        [30, 12_500],
      ]),
      {},
      {
        intervals: [interval(0, 15, 1000, 4000), interval(15, 30, 1500, 6000)],
        events: [
          { kind: 'duplicate', tsMs: at(15), detail: 'two readings at 2025-01-15T00:15:00.000Z: kept 11 kWh (first), dropped 11.25 kWh' },
        ],
      },
    ],
    [
      'readings out of order are sorted and each late one reported',
      samples([
        [30, 12_500],
        [0, 10_000],
        [15, 11_000],
      ]),
      {},
      {
        intervals: [interval(0, 15, 1000, 4000), interval(15, 30, 1500, 6000)],
        events: [
          {
            kind: 'out_of_order',
            tsMs: at(0),
            detail: 'sample at 2025-01-15T00:00:00.000Z came after 2025-01-15T00:30:00.000Z in the input; sorted',
          },
          {
            kind: 'out_of_order',
            tsMs: at(15),
            detail: 'sample at 2025-01-15T00:15:00.000Z came after 2025-01-15T00:30:00.000Z in the input; sorted',
          },
        ],
      },
    ],
    ['no readings', [], {}, { intervals: [], events: [] }],
    ['one reading gives no interval', samples([[0, 10_000]]), {}, { intervals: [], events: [] }],
    [
      'a register standing still gives zero energy, not a reset',
      samples([
        [0, 10_000],
        [15, 10_000],
      ]),
      {},
      { intervals: [interval(0, 15, 0, 0)], events: [] },
    ],
  ])('%s', (_name, input, options, expected) => {
    expect(registersToIntervals(input, options)).toEqual(expected);
  });

  it('does not change its input', () => {
    const input = samples([
      [15, 11_000],
      [0, 10_000],
    ]);
    const copy = structuredClone(input);
    registersToIntervals(input);
    expect(input).toEqual(copy);
  });

  it('the autumn change day in Berlin: 100 quarter-hours resolved from local time give 100 intervals of 15 min', () => {
    const times = resolveLocalSequence(exportDay('2025-10-26', 15, 'autumn').map(local), 'Europe/Berlin', { nonexistent: 'reject' });
    const end = utc('2025-10-26T23:00:00Z');
    const registers = [...times, { ok: true as const, tsMs: end, ambiguous: false }].map((r, i) => ({
      tsMs: r.ok ? r.tsMs : NaN,
      valueWh: 1000 * i,
    }));
    const { intervals, events } = registersToIntervals(registers);
    expect(events).toEqual([]);
    expect(intervals).toHaveLength(100);
    expect(intervals.every((iv) => iv.endMs - iv.startMs === 15 * MIN_MS && iv.avgPowerW === 4000)).toBe(true);
    expect(intervals.reduce((sum, iv) => sum + iv.energyWh, 0)).toBe(100_000);
  });
});

describe('worseQuality', () => {
  it.each<[Quality, Quality, Quality]>([
    ['measured', 'measured', 'measured'],
    ['measured', 'estimated', 'estimated'],
    ['estimated', 'measured', 'estimated'],
    ['estimated', 'substituted', 'substituted'],
    ['substituted', 'invalid', 'invalid'],
    ['invalid', 'measured', 'invalid'],
    ['measured', 'substituted', 'substituted'],
  ])('%s vs %s → %s', (a, b, expected) => {
    expect(worseQuality(a, b)).toBe(expected);
  });
});
