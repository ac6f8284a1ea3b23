/**
 * Retrieval metrics of the RAG evaluation — pure. A question is answered at rank r when the r-th
 * citation is one of the expected (law, section) pairs; laws compare by the abbreviation's first
 * word ("EEG 2023" counts as "EEG").
 */

export interface Expected {
  law: string;
  section: string;
}

export interface RankedCitation {
  /** law abbreviation of the cited document, when it is a law */
  law?: string;
  section: string;
}

const lawKey = (law: string) => law.trim().split(/\s+/)[0]!.toLowerCase();
const sectionKey = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();

/** 1-based rank of the first citation that matches an expectation; undefined when none does. */
export function firstHitRank(citations: readonly RankedCitation[], expected: readonly Expected[]): number | undefined {
  const want = new Set(expected.map((e) => `${lawKey(e.law)}|${sectionKey(e.section)}`));
  const i = citations.findIndex((c) => c.law !== undefined && want.has(`${lawKey(c.law)}|${sectionKey(c.section)}`));
  return i < 0 ? undefined : i + 1;
}

export interface Summary {
  questions: number;
  hitAt1: number;
  hitAt5: number;
  /** mean reciprocal rank over the ranks seen (0 for a miss) */
  mrr: number;
}

export function summarise(ranks: ReadonlyArray<number | undefined>): Summary {
  const n = ranks.length;
  if (n === 0) return { questions: 0, hitAt1: 0, hitAt5: 0, mrr: 0 };
  const at = (k: number) => ranks.filter((r) => r !== undefined && r <= k).length / n;
  const mrr = ranks.reduce<number>((a, r) => a + (r === undefined ? 0 : 1 / r), 0) / n;
  return { questions: n, hitAt1: at(1), hitAt5: at(5), mrr };
}

/** Nearest-rank percentile (p in 0…100) of a sample. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}
