/**
 * The extractive answer — pure: without an LLM, the answer is made of the best passages' most
 * relevant sentences, each marked with the number of the citation it comes from ("[1]").
 */
import type { Passage } from './retrieve.js';

export const NOT_FOUND = 'Not found in the knowledge base.';

/** Passages quoted in the answer, and sentences taken from each. */
const MAX_PASSAGES = 3;
const MAX_SENTENCES = 2;
const MAX_SENTENCE_CHARS = 420;

const stem = (w: string) => w.toLowerCase().slice(0, 6);

function words(text: string): string[] {
  return text.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 3);
}

/** "EnWG § 14a Abs. 1" or "Report › Scope (p. 3)" */
export function citationLabel(p: Passage): string {
  const where = p.law ? `${p.law} ${p.section}${p.paragraph ? ` ${p.paragraph}` : ''}` : `${p.document}, ${p.section}`;
  return p.page !== undefined ? `${where} (p. ${p.page})` : where;
}

export function extractiveAnswer(question: string, passages: readonly Passage[]): string {
  if (passages.length === 0) return NOT_FOUND;
  const q = new Set(words(question).map(stem));
  const parts: string[] = [];
  passages.slice(0, MAX_PASSAGES).forEach((p, i) => {
    const sentences = p.text
      .replace(/\n+/g, ' ')
      .split(/(?<=[.;:!?])\s+(?=[A-ZÄÖÜ(0-9])/u)
      .map((s) => s.trim())
      .filter(Boolean);
    const scored = sentences.map((s, idx) => ({
      s,
      idx,
      hits: new Set(
        words(s)
          .map(stem)
          .filter((w) => q.has(w)),
      ).size,
    }));
    const best = [...scored]
      .sort((a, b) => b.hits - a.hits || a.idx - b.idx)
      .slice(0, MAX_SENTENCES)
      .sort((a, b) => a.idx - b.idx)
      .map((x) => (x.s.length > MAX_SENTENCE_CHARS ? `${x.s.slice(0, MAX_SENTENCE_CHARS).replace(/\s+\S*$/, '')} …` : x.s));
    parts.push(`[${i + 1}] ${citationLabel(p)}: ${best.join(' ')}`);
  });
  return parts.join('\n');
}
