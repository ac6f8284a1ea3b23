import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DATA_DIR, PRICE_FILE } from '../tariffs/reference-site.js';
import { describe, expect, it } from 'vitest';
import { parsePriceCsv } from './csv.js';
import { gapDurationMs, rateAt } from './timeaxis.js';

// read from ../shared/data (ENTSO-E data; kept out of the repo to keep it small)
const REAL_FILE = join(DEFAULT_DATA_DIR, PRICE_FILE);
const haveShared = existsSync(REAL_FILE);
const REAL = haveShared ? readFileSync(REAL_FILE, 'utf8') : '';
const iso = (t: number) => new Date(t).toISOString();
const ms = (s: string) => Date.parse(s);
const H = 3_600_000;

describe.skipIf(!haveShared)('DE-LU hourly CSV (real, 2023-01-06…2024-08-20)', () => {
  const csv = parsePriceCsv(REAL);

  it('reads every line, no errors', () => {
    expect([csv.format, csv.resolutionMs, csv.rates.length, csv.errors]).toEqual(['luna-utc-local', H, 13_368, []]);
    expect(iso(csv.rates[0]!.startMs)).toBe('2023-01-05T23:00:00.000Z');
    expect(csv.rates[0]!.value).toBe(107.21);
    expect(iso(csv.rates[13_367]!.startMs)).toBe('2024-08-20T21:00:00.000Z');
    expect(csv.rates[13_367]!.value).toBe(97.96);
  });

  it.each([
    ['spring DST: local 01:00+01:00', '2023-03-26T01:00:00+01:00', 39.23],
    ['spring DST: local 03:00+02:00 follows one hour later', '2023-03-26T03:00:00+02:00', 40.12],
    ['autumn DST: local 01:00+02:00', '2023-10-29T01:00:00+02:00', 0.96],
    ['autumn DST: first 02:00 (+02:00)', '2023-10-29T02:00:00+02:00', 0.01],
    ['autumn DST: second 02:00 (+01:00)', '2023-10-29T02:00:00+01:00', 0.02],
    ['autumn DST: local 03:00+01:00', '2023-10-29T03:00:00+01:00', -0.24],
    ['minimum −500 on 2023-07-02 14:00 local', '2023-07-02T14:00:00+02:00', -500],
  ])('exact price: %s', (_name, at, expected) => {
    expect(rateAt(csv.rates, ms(at))?.value).toBe(expected);
  });

  it('DST days have 23 and 25 hours', () => {
    const hoursIn = (fromIso: string, toIso: string) => csv.rates.filter((r) => r.startMs >= ms(fromIso) && r.startMs < ms(toIso)).length;
    expect(hoursIn('2023-03-26T00:00+01:00', '2023-03-27T00:00+02:00')).toBe(23);
    expect(hoursIn('2023-10-29T00:00+02:00', '2023-10-30T00:00+01:00')).toBe(25);
  });

  it('missing hours: 27 gaps, 863 hours = the 36 missing days of the README (one of them the 23-hour 2024-03-31)', () => {
    expect(csv.gaps).toHaveLength(27);
    expect(gapDurationMs(csv.gaps) / H).toBe(863);
    expect(csv.gaps.slice(0, 3).map((g) => [iso(g.startMs), iso(g.endMs)])).toEqual([
      ['2023-01-24T23:00:00.000Z', '2023-01-25T23:00:00.000Z'], // 2023-01-25
      ['2023-01-26T23:00:00.000Z', '2023-01-29T23:00:00.000Z'], // 01-27, 01-28, 01-29
      ['2023-01-31T23:00:00.000Z', '2023-02-02T23:00:00.000Z'], // 02-01, 02-02 (removed)
    ]);
    const dstGap = csv.gaps.find((g) => iso(g.startMs) === '2024-03-30T23:00:00.000Z')!;
    expect((dstGap.endMs - dstGap.startMs) / H).toBe(23);
    expect(iso(csv.gaps[26]!.startMs)).toBe('2024-08-09T22:00:00.000Z');
  });
});

describe('CSV line errors keep the good lines', () => {
  it.each([
    [
      'local offset disagrees with UTC',
      `${REAL.split('\n')[0]}\n2023-01-05T23:00:00Z,2023-01-06T00:00:00+02:00,1\n2023-01-06T00:00:00Z,2023-01-06T01:00:00+01:00,2`,
      2,
      /not the same instant/,
    ],
    [
      'price not a number',
      'timestamp_utc,timestamp_local,price_eur_mwh\n2023-01-05T23:00:00Z,2023-01-06T00:00:00+01:00,n/a\n2023-01-06T00:00:00Z,2023-01-06T01:00:00+01:00,2',
      2,
      /price "n\/a" is not a number/,
    ],
    [
      'duplicate timestamp',
      'timestamp_utc,timestamp_local,price_eur_mwh\n2023-01-06T00:00:00Z,2023-01-06T01:00:00+01:00,2\n2023-01-06T00:00:00Z,2023-01-06T01:00:00+01:00,3',
      3,
      /duplicate timestamp, first seen on line 2/,
    ],
    [
      'too few fields',
      'timestamp_utc,timestamp_local,price_eur_mwh\n2023-01-06T00:00:00Z,2\n2023-01-06T01:00:00Z,2023-01-06T02:00:00+01:00,2',
      2,
      /expected 3 fields, found 2/,
    ],
    ['generic: no offset', '2023-10-29T02:00:00;1,5\n2023-10-29T03:00:00+01:00;2,5', 1, /not an ISO 8601 instant with offset/],
  ])('%s', (_name, text, line, reason) => {
    const out = parsePriceCsv(text);
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]!.line).toBe(line);
    expect(out.errors[0]!.reason).toMatch(reason);
    expect(out.rates).toHaveLength(1);
  });
});

describe('generic timestamp;price files', () => {
  it.each([
    ['semicolon, decimal comma, header', 'Zeit;Preis\n2023-10-29T02:00:00+02:00;0,01\n2023-10-29T02:00:00+01:00;0,02\n', [0.01, 0.02]],
    ['comma, decimal point, Z', '2023-10-29T00:00:00Z,0.01\n2023-10-29T01:00:00Z,-0.24\n', [0.01, -0.24]],
    ['quoted fields, CRLF', '"timestamp";"price"\r\n"2023-10-29T02:00:00+02:00";"1,5"\r\n"2023-10-29T02:00:00+01:00";"2"\r\n', [1.5, 2]],
  ])('%s', (_name, text, values) => {
    const out = parsePriceCsv(text);
    expect(out.errors).toEqual([]);
    expect(out.format).toBe('timestamp-price');
    expect(out.rates.map((r) => r.value)).toEqual(values);
    expect(iso(out.rates[0]!.startMs)).toBe('2023-10-29T00:00:00.000Z');
    expect(out.resolutionMs).toBe(H);
  });

  it('15-min file infers its resolution', () => {
    const out = parsePriceCsv('2025-10-31T00:00+01:00;1\n2025-10-31T00:15+01:00;2\n2025-10-31T00:30+01:00;3\n');
    expect(out.resolutionMs).toBe(900_000);
  });
});
