import { describe, expect, it } from 'vitest';
import { importBody, initialChoices, parseImportResult, parsePreview, uploadType } from './model';

const previewBody = {
  uploadId: 'u1',
  filename: 'lastgang.csv',
  encoding: 'windows-1252',
  rowCount: 96,
  mapping: {
    time: { format: 'dd.MM.yyyy HH:mm', intervalMinutes: 15 },
    values: [
      { column: 2, header: 'Wirkleistung [kW]', unit: 'kW', canonicalUnit: 'W', quantity: 'active_power', semantics: 'instantaneous' },
      { column: 3, header: 'Zähler', unit: null, canonicalUnit: null, quantity: null, semantics: 'cumulative' },
    ],
    warnings: ['decimal comma'],
  },
  sample: [{ line: 2, ts: '2026-01-01T00:00:00.000Z', values: [{ column: 2, value: 1200, quality: 'measured' }] }],
  rejections: [{ line: 7, field: 'Wirkleistung [kW]', reason: 'not a number' }],
  rejectionCount: 1,
  suggestedSeries: [
    { column: 2, key: 'wirkleistung', quantity: 'active_power', semantics: 'instantaneous', unit: 'W' },
    { column: 3, key: 'zahler' },
  ],
};

describe('import page model', () => {
  const p = parsePreview(previewBody)!;

  it('reads the preview: columns with suggestions, sample, rejections', () => {
    expect(p.columns.map((c) => [c.column, c.suggestedKey, c.quantity, c.unit])).toEqual([
      [2, 'wirkleistung', 'active_power', 'W'],
      [3, 'zahler', null, null],
    ]);
    expect(p.sample[0]?.values.get(2)).toBe(1200);
    expect(p.rejections[0]).toEqual({ line: 7, field: 'Wirkleistung [kW]', reason: 'not a number' });
    expect(p.intervalMinutes).toBe(15);
    expect(parsePreview({})).toBeNull();
  });

  it('asks for a quantity when a new series would be created without one', () => {
    const r = importBody(p, initialChoices(p), new Set());
    expect(r).toEqual({ problems: [{ column: 3, problem: 'quantity' }] });
  });

  it('maps to existing series without create, new ones with create', () => {
    const choices = initialChoices(p).map((c) => (c.column === 3 ? { ...c, quantity: 'energy_import' } : c));
    const r = importBody(p, choices, new Set(['wirkleistung']));
    expect(r).toEqual({
      body: {
        uploadId: 'u1',
        filename: 'lastgang.csv',
        columns: [
          { column: 2, key: 'wirkleistung' },
          { column: 3, key: 'zahler', create: { quantity: 'energy_import', semantics: 'cumulative', name: 'Zähler' } },
        ],
      },
    });
  });

  it('rejects bad and duplicate keys, and nothing chosen', () => {
    const c = initialChoices(p);
    expect(importBody(p, [{ ...c[0]!, key: ' bad key' }], new Set())).toEqual({ problems: [{ column: 2, problem: 'key' }] });
    expect(importBody(p, [c[0]!, { ...c[1]!, key: 'wirkleistung' }], new Set(['wirkleistung']))).toEqual({
      problems: [{ column: 3, problem: 'duplicate' }],
    });
    expect(
      importBody(
        p,
        c.map((x) => ({ ...x, include: false })),
        new Set(),
      ),
    ).toEqual({ problems: [{ column: null, problem: 'none' }] });
  });

  it('reads the import result', () => {
    expect(
      parseImportResult({ rows: 96, accepted: 95, updated: 0, duplicate: 0, buffered: 0, rejected: [{ line: 7, reason: 'x' }] }),
    ).toEqual({
      rows: 96,
      accepted: 95,
      updated: 0,
      duplicate: 0,
      rejected: [{ line: 7, field: null, reason: 'x' }],
    });
  });

  it('content type by file name', () => {
    expect(uploadType('a.XLSX')).toContain('spreadsheetml');
    expect(uploadType('a.csv')).toBe('text/csv');
  });
});
