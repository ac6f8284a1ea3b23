import { describe, expect, it } from 'vitest';
import { WeatherParseError } from './errors.js';
import type { WeatherRecord } from './model.js';
import { parseOpenMeteo } from './openmeteo.js';

// Hand-made format samples, built from the documented Open-Meteo response format (no network
// here); the values are plausible, not real API output.
const iso = (t: number) => new Date(t).toISOString();
const ms = (s: string) => Date.parse(s);

/** `/v1/archive?…&timezone=GMT&timeformat=unixtime&wind_speed_unit=kmh` (the default unit). */
const ARCHIVE_UNIXTIME = {
  latitude: 51.3,
  longitude: 9.45,
  generationtime_ms: 0.1,
  utc_offset_seconds: 0,
  timezone: 'GMT',
  timezone_abbreviation: 'GMT',
  elevation: 231,
  hourly_units: {
    time: 'unixtime',
    temperature_2m: '°C',
    shortwave_radiation: 'W/m²',
    direct_normal_irradiance: 'W/m²',
    diffuse_radiation: 'W/m²',
    cloud_cover: '%',
    wind_speed_10m: 'km/h',
  },
  hourly: {
    time: [1687338000, 1687341600, 1687345200],
    temperature_2m: [18.4, 19.9, null],
    shortwave_radiation: [612.0, 735.0, 801.0],
    direct_normal_irradiance: [655.3, 744.1, 790.2],
    diffuse_radiation: [148.0, 160.0, 171.0],
    cloud_cover: [20, 35, 0],
    wind_speed_10m: [10.8, 14.4, 0.0],
  },
};

/**
 * `/v1/forecast?…&timezone=Europe/Berlin` requested on 2023-10-28 (summer time), so
 * `utc_offset_seconds` is 7200 for the whole series, also after the change to CET on 2023-10-29
 * 03:00 CEST: the wall times run on without a repeated 02:00.
 */
const BERLIN_ISO_DST_DAY = {
  latitude: 52.52,
  longitude: 13.4,
  utc_offset_seconds: 7200,
  timezone: 'Europe/Berlin',
  timezone_abbreviation: 'CEST',
  hourly_units: { time: 'iso8601', temperature_2m: '°C', shortwave_radiation: 'W/m²' },
  hourly: {
    time: ['2023-10-29T00:00', '2023-10-29T01:00', '2023-10-29T02:00', '2023-10-29T03:00', '2023-10-29T04:00'],
    temperature_2m: [9.1, 8.8, 8.6, 8.5, 8.1],
    shortwave_radiation: [0, 0, 0, 0, 0],
  },
};

/** The same request with `timeformat=unixtime`. */
const BERLIN_UNIX_DST_DAY = {
  ...BERLIN_ISO_DST_DAY,
  hourly_units: { ...BERLIN_ISO_DST_DAY.hourly_units, time: 'unixtime' },
  hourly: { ...BERLIN_ISO_DST_DAY.hourly, time: [0, 1, 2, 3, 4].map((h) => 1698530400 + h * 3600) },
};

/** `minutely_15` block, `wind_speed_unit=ms`, ISO times in GMT. */
const MINUTELY_15 = {
  latitude: 48.14,
  longitude: 11.58,
  utc_offset_seconds: 0,
  timezone: 'GMT',
  minutely_15_units: { time: 'iso8601', shortwave_radiation: 'W/m²', wind_speed_10m: 'm/s', temperature_2m: '°F' },
  minutely_15: {
    time: ['2024-06-01T10:00', '2024-06-01T10:15', '2024-06-01T10:30'],
    shortwave_radiation: [500.5, null, 520.25],
    wind_speed_10m: [3.2, 3.4, null],
    temperature_2m: [68, 212, 32],
  },
};

describe('parseOpenMeteo', () => {
  it('unixtime archive: each value covers the PRECEDING hour, radiation as given, km/h → m/s, null → absent', () => {
    const s = parseOpenMeteo(ARCHIVE_UNIXTIME, { source: 'openmeteo:archive' });
    expect([s.latitude, s.longitude, s.source, s.records.length]).toEqual([51.3, 9.45, 'openmeteo:archive', 3]);
    const [a, b, c] = s.records as [WeatherRecord, WeatherRecord, WeatherRecord];
    // the 09:00Z label is the mean of 08:00–09:00Z
    expect([iso(a.startMs), iso(a.endMs)]).toEqual(['2023-06-21T08:00:00.000Z', '2023-06-21T09:00:00.000Z']);
    expect(a).toMatchObject({ ghiWPerM2: 612, dniWPerM2: 655.3, dhiWPerM2: 148, tempC: 18.4, cloudCoverPct: 20 });
    expect(a.windMPerS).toBeCloseTo(3, 12);
    expect(b.windMPerS).toBeCloseTo(4, 12);
    expect(c.windMPerS).toBe(0);
    expect('tempC' in c).toBe(false);
    expect(a.issuedAtMs).toBeUndefined();
  });

  it('stamps issuedAtMs on every record when given', () => {
    const issued = ms('2023-06-21T06:00:00Z');
    expect(parseOpenMeteo(ARCHIVE_UNIXTIME, { issuedAtMs: issued }).records.map((r) => r.issuedAtMs)).toEqual([issued, issued, issued]);
  });

  it.each([
    ['2023-10-29T00:00 (+02:00) ends at 22:00Z', 0, '2023-10-28T22:00:00.000Z'],
    ['2023-10-29T02:00 ends at 00:00Z (only one 02:00 in the response)', 2, '2023-10-29T00:00:00.000Z'],
    ['2023-10-29T03:00 ends at 01:00Z although CET is already in force (constant offset)', 3, '2023-10-29T01:00:00.000Z'],
    ['2023-10-29T04:00 ends at 02:00Z', 4, '2023-10-29T02:00:00.000Z'],
  ])('Europe/Berlin iso8601 on the autumn DST day: %s', (_name, index, endIso) => {
    const r = parseOpenMeteo(BERLIN_ISO_DST_DAY).records[index]!;
    expect([iso(r.startMs + 3_600_000), iso(r.endMs)]).toEqual([endIso, endIso]);
  });

  it('Europe/Berlin: iso8601 with utc_offset_seconds and unixtime give the same records', () => {
    const a = parseOpenMeteo(BERLIN_ISO_DST_DAY);
    expect(a.records.length).toBe(5);
    expect(a.records.map((r) => r.tempC)).toEqual([9.1, 8.8, 8.6, 8.5, 8.1]);
    expect(parseOpenMeteo(BERLIN_UNIX_DST_DAY)).toEqual(a);
  });

  it('minutely_15: 15-minute periods, °F → °C, nulls absent', () => {
    const s = parseOpenMeteo(MINUTELY_15, { block: 'minutely_15' });
    expect(s.records.map((r) => [iso(r.startMs), iso(r.endMs)])).toEqual([
      ['2024-06-01T09:45:00.000Z', '2024-06-01T10:00:00.000Z'],
      ['2024-06-01T10:00:00.000Z', '2024-06-01T10:15:00.000Z'],
      ['2024-06-01T10:15:00.000Z', '2024-06-01T10:30:00.000Z'],
    ]);
    expect(s.records.map((r) => r.ghiWPerM2)).toEqual([500.5, undefined, 520.25]);
    expect(s.records.map((r) => r.windMPerS)).toEqual([3.2, 3.4, undefined]);
    expect(s.records.map((r) => r.tempC)).toEqual([20, 100, 0]);
  });

  it.each([
    ['knots', 'kn', 10, 5.144444444444445],
    ['miles per hour', 'mp/h', 10, 4.4704],
    ['km/h', 'km/h', 36, 10],
    ['m/s', 'm/s', 7.5, 7.5],
  ])('wind unit %s', (_name, unit, value, expected) => {
    const json = { ...ARCHIVE_UNIXTIME, hourly_units: { wind_speed_10m: unit }, hourly: { time: [1687338000], wind_speed_10m: [value] } };
    expect(parseOpenMeteo(json).records[0]!.windMPerS).toBeCloseTo(expected, 12);
  });

  it.each([
    [
      'a repeated local hour (DST-aware times)',
      { ...BERLIN_ISO_DST_DAY, hourly: { time: ['2023-10-29T02:00', '2023-10-29T02:00'] } },
      /steps by 0 min.*unixtime/,
    ],
    ['a skipped hour', { ...BERLIN_ISO_DST_DAY, hourly: { time: ['2023-03-26T01:00', '2023-03-26T03:00'] } }, /steps by 120 min/],
    ['a time with offset', { ...BERLIN_ISO_DST_DAY, hourly: { time: ['2023-10-29T02:00+02:00'] } }, /YYYY-MM-DDTHH:MM/],
    ['an impossible date', { ...BERLIN_ISO_DST_DAY, hourly: { time: ['2023-02-30T02:00'] } }, /not a real time/],
    [
      'an unknown unit',
      { ...ARCHIVE_UNIXTIME, hourly_units: { ...ARCHIVE_UNIXTIME.hourly_units, cloud_cover: 'octa' } },
      /unknown or missing unit "octa"/,
    ],
    ['a missing unit', { ...ARCHIVE_UNIXTIME, hourly_units: {} }, /unknown or missing unit/],
    ['values of the wrong length', { ...ARCHIVE_UNIXTIME, hourly: { ...ARCHIVE_UNIXTIME.hourly, cloud_cover: [1] } }, /expected 3 values/],
    ['a string value', { ...ARCHIVE_UNIXTIME, hourly: { ...ARCHIVE_UNIXTIME.hourly, cloud_cover: [1, '2', 3] } }, /not a number/],
    ['no hourly block', { latitude: 1, longitude: 2 }, /no "hourly" block/],
    ['an API error body', { error: true, reason: 'Parameter out of range' }, /API error: Parameter out of range/],
  ])('rejects %s', (_name, json, message) => {
    expect(() => parseOpenMeteo(json)).toThrow(WeatherParseError);
    expect(() => parseOpenMeteo(json)).toThrow(message);
  });
});
