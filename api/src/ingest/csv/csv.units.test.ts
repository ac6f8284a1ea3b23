import { describe, expect, it } from 'vitest';
import { decodeBytes } from './decode.js';
import { detectDialect, parseNumber } from './dialect.js';
import { parseDateCell, parseTimeCell, toLocalDateTime } from './datetime.js';
import { splitRecords } from './records.js';

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('decodeBytes', () => {
  it.each([
    {
      scenario: 'UTF-8 with BOM: BOM stripped',
      input: bytes(0xef, 0xbb, 0xbf, 0x5a, 0xc3, 0xa4),
      text: 'Zä',
      encoding: 'utf-8',
      bom: true,
    },
    { scenario: 'UTF-8 without BOM', input: utf8('Zählpunkt'), text: 'Zählpunkt', encoding: 'utf-8', bom: false },
    {
      scenario: 'Windows-1252 umlaut and euro sign',
      input: bytes(0x5a, 0xe4, 0x68, 0x6c, 0x80),
      text: 'Zähl€',
      encoding: 'windows-1252',
      bom: false,
    },
    { scenario: 'plain ASCII counts as UTF-8', input: utf8('Datum;kWh'), text: 'Datum;kWh', encoding: 'utf-8', bom: false },
    { scenario: 'empty file', input: bytes(), text: '', encoding: 'utf-8', bom: false },
  ])('$scenario', ({ input, text, encoding, bom }) => {
    expect(decodeBytes(input)).toEqual({ text, encoding, bom });
  });
});

describe('parseNumber', () => {
  const comma = { decimal: ',', thousands: '.' } as const;
  const point = { decimal: '.', thousands: ',' } as const;
  const pointOnly = { decimal: '.', thousands: null } as const;
  it.each([
    { scenario: 'decimal comma', text: '12,5', dialect: comma, value: 12.5 },
    { scenario: 'thousands and decimal comma', text: '1.234,56', dialect: comma, value: 1234.56 },
    { scenario: 'thousands only', text: '2.350', dialect: comma, value: 2350 },
    { scenario: 'negative with blanks', text: ' -0,25 ', dialect: comma, value: -0.25 },
    { scenario: 'no-break space as thousands', text: '1\u00a0234,5', dialect: comma, value: 1234.5 },
    { scenario: 'point in a comma file is no number', text: '12.5', dialect: comma, value: undefined },
    { scenario: 'bad grouping', text: '1.23,4', dialect: comma, value: undefined },
    { scenario: 'text', text: 'abc', dialect: comma, value: undefined },
    { scenario: 'dash for missing', text: '-', dialect: comma, value: undefined },
    { scenario: 'decimal point', text: '1234.5', dialect: point, value: 1234.5 },
    { scenario: 'comma thousands with point decimal', text: '1,234.5', dialect: point, value: 1234.5 },
    { scenario: 'exponent from a spreadsheet', text: '1e-7', dialect: pointOnly, value: 1e-7 },
    { scenario: 'comma in a point file without thousands', text: '1,5', dialect: pointOnly, value: undefined },
  ])('$scenario: "$text"', ({ text, dialect, value }) => {
    expect(parseNumber(text, dialect)).toBe(value);
  });
});

describe('dates and times', () => {
  it.each([
    { scenario: 'DD.MM.YYYY', text: '26.10.2025', format: 'DD.MM.YYYY', out: { year: 2025, month: 10, day: 26 } },
    { scenario: 'DD.MM.YY is 20YY', text: '30.03.25', format: 'DD.MM.YY', out: { year: 2025, month: 3, day: 30 } },
    {
      scenario: 'YYYY-MM-DD with seconds',
      text: '2025-10-26 02:15:30',
      format: 'YYYY-MM-DD',
      out: { year: 2025, month: 10, day: 26, time: { hour: 2, minute: 15, second: 30 } },
    },
    { scenario: '31 February does not exist', text: '31.02.2025', format: 'DD.MM.YYYY', out: undefined },
    { scenario: 'month 13', text: '01.13.2025', format: 'DD.MM.YYYY', out: undefined },
  ] as const)('$scenario', ({ text, format, out }) => {
    expect(parseDateCell(text, format)).toEqual(out);
  });

  it('24:00 is midnight of the next day, also across a month end', () => {
    const t = parseTimeCell('24:00');
    expect(t).toEqual({ hour: 24, minute: 0, second: 0 });
    expect(toLocalDateTime({ year: 2025, month: 10, day: 31 }, t)).toEqual({
      year: 2025,
      month: 11,
      day: 1,
      hour: 0,
      minute: 0,
      second: 0,
    });
    expect(parseTimeCell('24:15')).toBeUndefined();
  });
});

describe('splitRecords (RFC 4180)', () => {
  it('keeps quoted delimiters, "" escapes and line breaks, and counts lines', () => {
    const text = 'a;b\r\n"x;y";"say ""hi"""\r\n"two\nlines";z\n\nlast;1';
    expect(splitRecords(text, ';').map((r) => ({ line: r.line, cells: r.cells, blank: r.blank }))).toEqual([
      { line: 1, cells: ['a', 'b'], blank: false },
      { line: 2, cells: ['x;y', 'say "hi"'], blank: false },
      { line: 3, cells: ['two\nlines', 'z'], blank: false },
      { line: 5, cells: [''], blank: true },
      { line: 6, cells: ['last', '1'], blank: false },
    ]);
  });
});

describe('detectDialect', () => {
  it.each([
    {
      scenario: 'semicolon, decimal comma, preamble',
      text: 'Zählpunkt: DE0001\nEinheit: kWh\n\nDatum;Uhrzeit;Wert\n01.01.2025;00:00;1,5\n01.01.2025;00:15;2,25\n',
      expected: { delimiter: ';', decimal: ',', thousands: '.', headerLine: 4, dateFormat: 'DD.MM.YYYY' },
    },
    {
      scenario: 'preamble with delimiters before the header',
      text: 'Zählpunkt;DE0001;\nMesslokation;DE9;\nDatum;Uhrzeit;Wert\n01.01.2025;00:00;1,5\n01.01.2025;00:15;2,25\n',
      expected: { delimiter: ';', decimal: ',', thousands: '.', headerLine: 3, dateFormat: 'DD.MM.YYYY' },
    },
    {
      scenario: 'comma and ISO times with offset',
      text: 'ts,kw\n2025-01-01T00:00:00+01:00,1.5\n2025-01-01T00:15:00+01:00,2.25\n',
      expected: { delimiter: ',', decimal: '.', thousands: null, headerLine: 1, dateFormat: 'ISO_OFFSET' },
    },
    {
      scenario: 'pipe, decimal point, no header',
      text: '2025-01-01 00:00|1.5|3\n2025-01-01 00:15|2.25|4\n',
      expected: { delimiter: '|', decimal: '.', thousands: ',', headerLine: 0, dateFormat: 'YYYY-MM-DD' },
    },
  ])('$scenario', ({ text, expected }) => {
    expect(detectDialect(text)).toEqual({ quote: '"', ...expected });
  });
});
