import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chunkLaw, parseLawHeader } from '../../../api/src/knowledge/chunk.js';
import { KNOWLEDGE_DIR } from '../../../api/src/knowledge/ontology.js';
import { firstHitRank, percentile, summarise, type Expected } from './metrics.js';

describe('firstHitRank', () => {
  const expect1: Expected[] = [{ law: 'EEG', section: '§ 51' }];
  it('matches the law by its first word and the section exactly', () => {
    expect(
      firstHitRank(
        [
          { law: 'EEG 2023', section: '§ 51a' },
          { law: 'EEG 2023', section: '§ 51' },
        ],
        expect1,
      ),
    ).toBe(2);
    expect(firstHitRank([{ law: 'EnWG', section: '§ 51' }, { section: '§ 51' }], expect1)).toBeUndefined();
    expect(
      firstHitRank(
        [{ law: 'StromGVV', section: '§ 19' }],
        [
          { law: 'EnWG', section: '§ 41f' },
          { law: 'StromGVV', section: '§ 19' },
        ],
      ),
    ).toBe(1);
  });
});

describe('summarise', () => {
  it('computes hit@1, hit@5 and MRR with misses as 0', () => {
    const s = summarise([1, 2, undefined, 6]);
    expect(s).toEqual({ questions: 4, hitAt1: 0.25, hitAt5: 0.5, mrr: (1 + 0.5 + 0 + 1 / 6) / 4 });
    expect(summarise([])).toEqual({ questions: 0, hitAt1: 0, hitAt5: 0, mrr: 0 });
  });
  it('takes nearest-rank percentiles', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 95)).toBe(95);
    expect(percentile([5], 95)).toBe(5);
  });
});

describe('the question set', () => {
  const set = JSON.parse(readFileSync(`${KNOWLEDGE_DIR}eval/questions.json`, 'utf8')) as {
    questions: Array<{ id: string; lang: string; question: string; expect: Expected[] }>;
    offTopic: Array<{ question: string }>;
  };
  const manifest = JSON.parse(readFileSync(`${KNOWLEDGE_DIR}corpus.json`, 'utf8')) as { documents: Array<{ file: string }> };
  const sections = new Map<string, Set<string>>();
  for (const d of manifest.documents) {
    const md = readFileSync(`${KNOWLEDGE_DIR}${d.file}`, 'utf8');
    const abbr = parseLawHeader(md)!.abbreviation;
    const key = abbr.split(' ')[0]!.toLowerCase();
    const set = sections.get(key) ?? new Set<string>();
    for (const c of chunkLaw(md, abbr)) set.add(c.section);
    sections.set(key, set);
  }

  it('has at least 60 questions in German and English, with unique ids', () => {
    expect(set.questions.length).toBeGreaterThanOrEqual(60);
    expect(set.questions.filter((q) => q.lang === 'en').length).toBeGreaterThanOrEqual(15);
    expect(set.questions.filter((q) => q.lang === 'de').length).toBeGreaterThanOrEqual(30);
    expect(new Set(set.questions.map((q) => q.id)).size).toBe(set.questions.length);
    expect(set.offTopic.length).toBeGreaterThanOrEqual(3);
  });

  it('names for every question a law and section that exist in the shipped corpus', () => {
    const missing = set.questions.flatMap((q) =>
      q.expect.filter((e) => !sections.get(e.law.toLowerCase())?.has(e.section)).map((e) => `${q.id}: ${e.law} ${e.section}`),
    );
    expect(missing).toEqual([]);
  });
});
