import { describe, expect, it } from 'vitest';
import { Bm25Index, FIELD_WEIGHTS, parseTsvector, type IndexRow } from './bm25.js';

const row = (id: string, tsv: string, extra: Partial<IndexRow> = {}): IndexRow => ({
  id,
  documentId: `doc-${id}`,
  section: `§ ${id}`,
  paragraph: null,
  tsv,
  law: 'EnWG',
  type: 'regulation',
  jurisdiction: 'DE',
  siteId: null,
  tags: [],
  validFrom: null,
  validTo: null,
  ...extra,
});

describe('parseTsvector', () => {
  it('weights positions by field and counts the length', () => {
    const { tf, length } = parseTsvector("'netz':1A,7 'betreib':2B 'it''s':3 'x':4C");
    expect(tf.get('netz')).toBe(FIELD_WEIGHTS.A + FIELD_WEIGHTS.D);
    expect(tf.get('betreib')).toBe(FIELD_WEIGHTS.B);
    expect(tf.get("it's")).toBe(FIELD_WEIGHTS.D);
    expect(tf.get('x')).toBe(FIELD_WEIGHTS.C);
    expect(length).toBe(5);
  });
});

describe('Bm25Index', () => {
  const index = new Bm25Index([
    row('1', "'wärmepump':1A 'steuer':2,3"),
    row('2', "'steuer':1 'netz':2 'netz':3"),
    row('3', "'netz':1 'entgelt':2", { law: 'StromNEV', type: 'regulation', tags: ['x'], validFrom: '2024-01-01' }),
  ]);

  it('ranks the rarer term higher and needs every lexeme of an alternative', () => {
    const scored = index.score([[{ lexemes: ['wärmepump'], weight: 1 }], [{ lexemes: ['steuer'], weight: 1 }]], {});
    const byId = new Map(scored.map((s) => [index.chunks[s.index]!.id, s]));
    expect(byId.get('1')!.score).toBeGreaterThan(byId.get('2')!.score);
    expect(byId.get('1')!.coverage).toBeCloseTo(1, 6);
    expect(byId.get('2')!.coverage).toBeLessThan(0.5);
    expect(index.score([[{ lexemes: ['netz', 'wärmepump'], weight: 1 }]], {})).toEqual([]);
  });

  it('applies metadata filters', () => {
    const q = [[{ lexemes: ['netz'], weight: 1 }]];
    expect(index.score(q, { law: 'stromnev' }).map((s) => index.chunks[s.index]!.id)).toEqual(['3']);
    expect(index.score(q, { tags: ['x'], validAt: '2023-06-01' })).toEqual([]);
    expect(index.score(q, { type: 'report' })).toEqual([]);
  });

  it('gives unknown words weight so that they lower coverage', () => {
    const [hit] = index.score([[{ lexemes: ['entgelt'], weight: 1 }], [{ lexemes: ['apfelkuch'], weight: 1 }]], {});
    expect(hit!.coverage).toBeGreaterThan(0.2);
    expect(hit!.coverage).toBeLessThan(0.6);
  });
});
