import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { entsoeDayAheadCurves, mergeEntsoeSeries, parseEntsoeA44, type EntsoeResult, type EntsoeSeries } from './entsoe.js';
import { MarketParseError } from './errors.js';
import { rateAt } from './timeaxis.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const DE_LU = fixture('A44_day_ahead_prices_DE-LU_PT15M_2025-10-31_2025-11-01.xml');
const CH = fixture('A44_day_ahead_prices_CH_PT60M_2025-11-26_2025-11-27.xml');

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();
function prices(r: EntsoeResult): EntsoeSeries[] {
  if (r.kind !== 'prices') throw new Error(`expected prices, got ${r.kind}`);
  return r.series;
}
/** Value at position `pos` (1-based) of a series whose Period starts at `startIso`. */
const at = (s: EntsoeSeries, startIso: string, pos: number) => rateAt(s.rates, ms(startIso) + (pos - 1) * s.resolutionMs)?.value;
/** 1-based line of the n-th occurrence of `needle` (to assert error locations). */
function lineOf(text: string, needle: string, nth = 1): number {
  let idx = -1;
  for (let i = 0; i < nth; i++) idx = text.indexOf(needle, idx + 1);
  return text.slice(0, idx).split('\n').length;
}

/** The real CH document with its Periods replaced by one synthetic Period (same structure). */
function chWithSinglePeriod(startIso: string, endIso: string, resolution: string, points: [number, number][], curveType = 'A03'): string {
  const head = CH.slice(0, CH.indexOf('<Period>')).replace('<curveType>A03</curveType>', `<curveType>${curveType}</curveType>`);
  const body = points
    .map(
      ([pos, price]) =>
        `              <Point>\n                <position>${pos}</position>\n                  <price.amount>${price}</price.amount>\n              </Point>`,
    )
    .join('\n');
  return `${head}<Period>
            <timeInterval>
              <start>${startIso}</start>
              <end>${endIso}</end>
            </timeInterval>
            <resolution>${resolution}</resolution>
${body}
          </Period>
      </TimeSeries>
  </Publication_MarketDocument>
`;
}

/** Remove the Point with this position from the first Period of `xml`. */
function withoutPoint(xml: string, position: number): string {
  const re = new RegExp(`\\s*<Point>\\s*<position>${position}</position>\\s*<price\\.amount>[^<]*</price\\.amount>\\s*</Point>`);
  const out = xml.replace(re, '');
  if (out === xml) throw new Error(`no Point ${position}`);
  return out;
}

describe('ENTSO-E A44, real CH PT60M file', () => {
  const doc = parseEntsoeA44(CH);
  const series = prices(doc);

  it('reads document metadata and two daily series', () => {
    expect(doc).toMatchObject({ kind: 'prices', documentId: 'f59c42e3aaf640a5b2103d8d37a8cdf9', createdAtMs: ms('2025-11-26T14:16:15Z') });
    expect(series.map((s) => [s.zone, s.eic, s.curveType, s.resolutionMs, s.rates.length, s.classificationPosition])).toEqual([
      ['CH', '10YCH-SWISSGRIDZ', 'A03', 3_600_000, 24, undefined],
      ['CH', '10YCH-SWISSGRIDZ', 'A03', 3_600_000, 24, undefined],
    ]);
  });

  it('merges into 48 hourly rates with exact first/last', () => {
    const [curve, ...rest] = mergeEntsoeSeries(series);
    expect(rest).toEqual([]);
    expect(curve!.rates).toHaveLength(48);
    expect(iso(curve!.rates[0]!.startMs)).toBe('2025-11-25T23:00:00.000Z');
    expect(iso(curve!.rates[47]!.startMs)).toBe('2025-11-27T22:00:00.000Z');
    expect(iso(curve!.rates[47]!.endMs)).toBe('2025-11-27T23:00:00.000Z');
  });

  it.each([
    ['day 1 position 1', '2025-11-25T23:00Z', 1, 104.06],
    ['day 1 position 4', '2025-11-25T23:00Z', 4, 99.8],
    ['day 1 position 24', '2025-11-25T23:00Z', 24, 109.62],
    ['day 2 position 1', '2025-11-26T23:00Z', 1, 110.63],
    ['day 2 position 24', '2025-11-26T23:00Z', 24, 111.8],
  ])('exact price: %s', (_name, start, pos, expected) => {
    const s = series.find((x) => x.rates[0]!.startMs === ms(start))!;
    expect(at(s, start, pos)).toBe(expected);
  });
});

describe('ENTSO-E A44, real DE-LU PT15M file (two classification sequences per day)', () => {
  const series = prices(parseEntsoeA44(DE_LU));

  it('has 4 series of 96 quarter hours each, A03 gaps filled', () => {
    expect(series.map((s) => [s.zone, s.classificationPosition, s.resolutionMs, s.rates.length, iso(s.rates[0]!.startMs)])).toEqual([
      ['DE-LU', 2, 900_000, 96, '2025-10-30T23:00:00.000Z'],
      ['DE-LU', 1, 900_000, 96, '2025-10-30T23:00:00.000Z'],
      ['DE-LU', 2, 900_000, 96, '2025-10-31T23:00:00.000Z'],
      ['DE-LU', 1, 900_000, 96, '2025-10-31T23:00:00.000Z'],
    ]);
  });

  // Positions absent from the real file (README: 20, 72 / 16, 19, 22, 75, 88 / 45) repeat the previous price.
  it.each([
    ['seq 2, day 1, pos 19 present', 0, '2025-10-30T23:00Z', 19, 80.5],
    ['seq 2, day 1, pos 20 absent → pos 19', 0, '2025-10-30T23:00Z', 20, 80.5],
    ['seq 2, day 1, pos 21 present again', 0, '2025-10-30T23:00Z', 21, 84.04],
    ['seq 2, day 1, pos 72 absent → pos 71', 0, '2025-10-30T23:00Z', 72, 119.96],
    ['seq 2, day 2, pos 88 absent → pos 87', 2, '2025-10-31T23:00Z', 88, 74.93],
    ['seq 1, day 2, pos 45 absent → pos 44', 3, '2025-10-31T23:00Z', 45, 15],
    ['seq 1, day 2, pos 46 present', 3, '2025-10-31T23:00Z', 46, 15.06],
    ['seq 1, day 1, pos 1', 1, '2025-10-30T23:00Z', 1, 102.81],
    ['seq 1, day 1, pos 96', 1, '2025-10-30T23:00Z', 96, 42.37],
  ])('%s', (_name, idx, start, pos, expected) => {
    expect(at(series[idx]!, start, pos)).toBe(expected);
  });

  it('merged: one 15-min curve of 192 rates, sequence 1 wins', () => {
    const result = entsoeDayAheadCurves(DE_LU);
    if (result.kind !== 'prices') throw new Error('expected prices');
    expect(result.curves).toHaveLength(1);
    const c = result.curves[0]!;
    expect([c.zone, c.resolutionMs, c.rates.length, c.publishedAtMs, c.gaps]).toEqual([
      'DE-LU',
      900_000,
      192,
      ms('2025-10-31T17:50:03Z'),
      [],
    ]);
    expect(iso(c.rates[0]!.startMs)).toBe('2025-10-30T23:00:00.000Z');
    expect(iso(c.rates[191]!.startMs)).toBe('2025-11-01T22:45:00.000Z');
    expect([c.rates[0]!.value, c.rates[95]!.value, c.rates[96]!.value, c.rates[191]!.value]).toEqual([102.81, 42.37, 63.5, 70.19]);
  });
});

describe('ENTSO-E A44, DST change day (edited copy of the real CH file)', () => {
  // 2025-10-26 in Europe/Berlin/Zurich has 25 hours: 2025-10-25T22:00Z → 2025-10-26T23:00Z.
  it.each([
    ['PT60M: 25 hourly positions', 'PT60M', 25, 3_600_000],
    ['PT15M: 100 quarter hours', 'PT15M', 100, 900_000],
  ])('%s', (_name, resolution, n, stepMs) => {
    const points = Array.from({ length: n }, (_, i): [number, number] => [i + 1, 50 + i]);
    const s = prices(parseEntsoeA44(chWithSinglePeriod('2025-10-25T22:00Z', '2025-10-26T23:00Z', resolution, points)))[0]!;
    expect(s.rates).toHaveLength(n);
    expect(iso(s.rates[0]!.startMs)).toBe('2025-10-25T22:00:00.000Z');
    expect(iso(s.rates[n - 1]!.endMs)).toBe('2025-10-26T23:00:00.000Z');
    expect(s.rates.every((r) => r.endMs - r.startMs === stepMs)).toBe(true);
    // The repeated local 02:00 hour: 00:00Z (CEST) and 01:00Z (CET) are distinct rates.
    expect(rateAt(s.rates, ms('2025-10-26T00:30Z'))!.value).not.toBe(rateAt(s.rates, ms('2025-10-26T01:30Z'))!.value);
  });

  it('a 24-position day in a 25-hour interval keeps the 25th hour on the A03 rule', () => {
    const points = Array.from({ length: 24 }, (_, i): [number, number] => [i + 1, 50 + i]);
    const s = prices(parseEntsoeA44(chWithSinglePeriod('2025-10-25T22:00Z', '2025-10-26T23:00Z', 'PT60M', points)))[0]!;
    expect(s.rates).toHaveLength(25);
    expect(s.rates[24]!.value).toBe(73);
  });
});

describe('ENTSO-E A44 curve types and the A03 continuation rule (edited copies of the real CH file)', () => {
  const ch = withoutPoint(withoutPoint(withoutPoint(CH, 5), 6), 24);
  const day1 = prices(parseEntsoeA44(ch))[0]!;

  it.each([
    ['pos 4 present', 4, 99.8],
    ['pos 5 absent → pos 4', 5, 99.8],
    ['pos 6 absent → still pos 4', 6, 99.8],
    ['pos 7 present', 7, 133],
    ['last pos 24 absent → pos 23 until the Period end', 24, 112.4],
  ])('A03: %s', (_name, pos, expected) => {
    expect(day1.rates).toHaveLength(24);
    expect(at(day1, '2025-11-25T23:00Z', pos)).toBe(expected);
  });

  it('A01: an absent position is a gap, not a continuation', () => {
    const xml = chWithSinglePeriod(
      '2025-11-25T23:00Z',
      '2025-11-26T23:00Z',
      'PT60M',
      [
        [1, 10],
        [2, 20],
        [4, 40],
      ],
      'A01',
    );
    const s = prices(parseEntsoeA44(xml))[0]!;
    expect(s.rates.map((r) => [iso(r.startMs), r.value])).toEqual([
      ['2025-11-25T23:00:00.000Z', 10],
      ['2025-11-26T00:00:00.000Z', 20],
      ['2025-11-26T02:00:00.000Z', 40],
    ]);
    const merged = entsoeDayAheadCurves(xml);
    expect(merged.kind === 'prices' && merged.curves[0]!.gaps).toEqual([
      { startMs: ms('2025-11-26T01:00Z'), endMs: ms('2025-11-26T02:00Z') },
    ]);
  });

  it('PT30M resolution', () => {
    const s = prices(
      parseEntsoeA44(
        chWithSinglePeriod('2025-11-25T23:00Z', '2025-11-26T00:00Z', 'PT30M', [
          [1, 1],
          [2, 2],
        ]),
      ),
    )[0]!;
    expect(s.resolutionMs).toBe(1_800_000);
    expect(s.rates.map((r) => r.value)).toEqual([1, 2]);
  });

  it('unknown EIC codes are kept as they are', () => {
    const s = prices(parseEntsoeA44(CH.replaceAll('10YCH-SWISSGRIDZ', '10YAT-APG------L')))[0]!;
    expect(s.zone).toBe('10YAT-APG------L');
  });
});

describe('ENTSO-E acknowledgement: no data yet', () => {
  // Synthetic: no real acknowledgement sample is in /work/shared/data (see its README); structure per ENTSO-E API guide.
  const ack = (code: string, text: string) => `<?xml version="1.0" encoding="UTF-8"?>
<Acknowledgement_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-1:acknowledgementdocument:7:0">
\t<mRID>0a1b2c3d-4e5f</mRID>
\t<createdDateTime>2025-11-02T10:05:00Z</createdDateTime>
\t<sender_MarketParticipant.mRID codingScheme="A01">10X1001A1001A450</sender_MarketParticipant.mRID>
\t<sender_MarketParticipant.marketRole.type>A32</sender_MarketParticipant.marketRole.type>
\t<receiver_MarketParticipant.mRID codingScheme="A01">10X1001A1001A450</receiver_MarketParticipant.mRID>
\t<receiver_MarketParticipant.marketRole.type>A39</receiver_MarketParticipant.marketRole.type>
\t<received_MarketDocument.createdDateTime>2025-11-02T10:05:00Z</received_MarketDocument.createdDateTime>
\t<Reason>
\t\t<code>${code}</code>
\t\t<text>${text}</text>
\t</Reason>
</Acknowledgement_MarketDocument>`;

  it('code 999 → typed no-data result', () => {
    const text =
      'No matching data found for Data item Day-ahead Prices [12.1.D] (10Y1001A1001A82H, 10Y1001A1001A82H) and interval 2025-11-02T23:00:00.000Z/2025-11-03T23:00:00.000Z.';
    expect(parseEntsoeA44(ack('999', text))).toEqual({
      kind: 'no-data',
      reasonCode: '999',
      reasonText: text,
      createdAtMs: ms('2025-11-02T10:05:00Z'),
    });
    expect(entsoeDayAheadCurves(ack('999', text))).toEqual({ kind: 'no-data', reasonText: text });
  });

  it('another reason code is an error with the code and text', () => {
    expect(() => parseEntsoeA44(ack('B11', 'Query is not valid &amp; too long'))).toThrow(/B11: Query is not valid & too long/);
  });
});

describe('ENTSO-E malformed documents', () => {
  const cutAt = DE_LU.indexOf('<position>50</position>', DE_LU.indexOf('<TimeSeries>', 100));
  it.each([
    [
      'truncated mid-file',
      DE_LU.slice(0, cutAt + 15),
      /truncated.*<Point> opened at line \d+ is not closed|truncated or malformed end tag/,
    ],
    [
      'truncated after the last TimeSeries',
      DE_LU.slice(0, DE_LU.lastIndexOf('</Publication_MarketDocument>')),
      /truncated document: <Publication_MarketDocument> opened at line 2/,
    ],
    ['wrong root', CH.replaceAll('Publication_MarketDocument', 'GL_MarketDocument'), /unexpected root <GL_MarketDocument>.*line 2/],
    [
      'missing timeInterval',
      CH.replace(/<timeInterval>[\s\S]*?<\/timeInterval>/, ''),
      new RegExp(`<Period> has no <timeInterval> \\(<Period>, line ${lineOf(CH, '<Period>')}\\)`),
    ],
    [
      'non-numeric price',
      CH.replace('<price.amount>99.97</price.amount>', '<price.amount>9x.97</price.amount>'),
      new RegExp(`price.amount "9x.97" is not a number \\(<price.amount>, position 3, line ${lineOf(CH, '<price.amount>99.97')}\\)`),
    ],
    [
      'position out of range',
      CH.replace('<position>24</position>', '<position>25</position>'),
      new RegExp(`position "25" out of range 1..24 \\(<position>, line ${lineOf(CH, '<position>24</position>')}\\)`),
    ],
    ['mismatched end tag', CH.replace('</Point>', '</Pont>'), /end tag <\/Pont> does not match <Point> opened at line 31/],
    ['bad resolution', CH.replace('PT60M', 'P1D'), /unsupported resolution "P1D"/],
    [
      'interval not a whole number of steps',
      CH.replace('<end>2025-11-26T23:00Z</end>', '<end>2025-11-26T23:30Z</end>'),
      /not a whole number of PT60M steps/,
    ],
    [
      'bad instant',
      CH.replace('<end>2025-11-26T23:00Z</end>', '<end>26.11.2025 24:00</end>'),
      new RegExp(`not an ISO 8601 instant.*\\(<end>, line ${lineOf(CH, '<end>2025-11-26T23:00Z</end>')}\\)`),
    ],
    ['not XML at all', 'Service unavailable', /text outside the root element/],
    ['empty body', '', /empty document/],
    ['A03 without position 1', withoutPoint(CH, 1), /A03 Period does not start with position 1/],
    ['non-EUR currency', CH.replace('<currency_Unit.name>EUR', '<currency_Unit.name>CHF'), /currency CHF is not supported/],
  ])('%s', (_name, xml, message) => {
    expect(() => parseEntsoeA44(xml)).toThrow(MarketParseError);
    expect(() => parseEntsoeA44(xml)).toThrow(message);
  });
});
