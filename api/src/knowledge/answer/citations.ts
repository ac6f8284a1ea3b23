/**
 * Pure citation checking of an LLM answer: split it into sentences, read the passage markers
 * `[1]`, `[2, 3]`, `[1][4]` of each, and keep only sentences that cite at least one passage that
 * exists. Sentence splitting knows German/English legal abbreviations ("Abs.", "Nr.", "z. B.",
 * "i.V.m.", "e.g.") so "§ 14a Abs. 1" does not end a sentence.
 */

export interface CheckedSentence {
  /** the sentence as written, markers included (invalid markers removed) */
  text: string;
  /** valid passage numbers it cites (1-based, as in the prompt), in order of appearance */
  citations: number[];
  /** markers that name no passage, e.g. [9] with 5 passages */
  invalid: number[];
}

export interface CitationCheck {
  /** sentences with at least one valid citation */
  kept: CheckedSentence[];
  /** sentences without a valid citation (not grounded: dropped from the answer) */
  dropped: CheckedSentence[];
  /** kept sentences joined with single spaces */
  answer: string;
  /** distinct valid passage numbers in order of first use */
  cited: number[];
}

const ABBREVIATIONS = new Set([
  'abs',
  'nr',
  'art',
  'bzw',
  'ca',
  'ggf',
  'vgl',
  'evtl',
  'inkl',
  'zzgl',
  'usw',
  'etc',
  'bspw',
  'max',
  'min',
  'mind',
  'gem',
  'lit',
  'anh',
  'anl',
  'kap',
  'tab',
  'abb',
  'ziff',
  'bzgl',
  'sog',
  'insb',
  'e.g',
  'i.e',
  'z.b',
  'd.h',
  'u.a',
  'i.v.m',
  'v.a',
  'o.ä',
  's',
  'z',
  'd',
  'u',
  'i',
  'v',
  'e',
  'no',
  'vs',
  'cf',
  'approx',
  'sec',
  'para',
]);

const MARKER = /\[(\d+(?:\s*[,;]\s*\d+)*)\]/g;

/** Splits text into sentences; citation markers after the final punctuation stay with their sentence. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  const s = text.replace(/\s+/g, ' ').trim();
  let start = 0;
  const boundary = /[.!?]+((?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])*)\s+(?=[„"'(§\p{Lu}\d])/gu;
  for (let m = boundary.exec(s); m; m = boundary.exec(s)) {
    const before = s.slice(start, m.index);
    const word = /([\p{L}.]+)$/u.exec(before)?.[1]?.toLowerCase() ?? '';
    // "Abs. 1", "z. B. die" or "S. 3": an abbreviation, not the end of a sentence (unless a marker followed it).
    if (!m[1] && (ABBREVIATIONS.has(word) || ABBREVIATIONS.has(word.replace(/\.$/, '')))) continue;
    const end = m.index + m[0].length;
    out.push(s.slice(start, end).trim());
    start = end;
  }
  if (start < s.length) out.push(s.slice(start).trim());
  return out.filter((x) => x.length > 0);
}

/** Checks every sentence's citations against `passageCount` passages (numbered 1…passageCount). */
export function checkCitations(answer: string, passageCount: number): CitationCheck {
  const kept: CheckedSentence[] = [];
  const dropped: CheckedSentence[] = [];
  for (const sentence of splitSentences(answer)) {
    const citations: number[] = [];
    const invalid: number[] = [];
    const text = sentence
      .replace(MARKER, (_, list: string) => {
        const nums = list.split(/[,;]/).map((x) => Number(x.trim()));
        const ok = nums.filter((n) => Number.isInteger(n) && n >= 1 && n <= passageCount);
        invalid.push(...nums.filter((n) => !ok.includes(n)));
        for (const n of ok) if (!citations.includes(n)) citations.push(n);
        return ok.length ? `[${ok.join(', ')}]` : '';
      })
      .replace(/\s+([.!?,;])/g, '$1')
      .replace(/\s{2,}/g, ' ')
      .trim();
    (citations.length > 0 ? kept : dropped).push({ text, citations, invalid });
  }
  const cited: number[] = [];
  for (const s of kept) for (const n of s.citations) if (!cited.includes(n)) cited.push(n);
  return { kept, dropped, answer: kept.map((s) => s.text).join(' '), cited };
}

/** Rewrites markers `[n]` through `map` (old number → new number), e.g. after citations are renumbered. */
export function renumberMarkers(text: string, map: ReadonlyMap<number, number>): string {
  return text.replace(MARKER, (whole, list: string) => {
    const nums = list.split(/[,;]/).map((x) => map.get(Number(x.trim())));
    return nums.every((n) => n !== undefined) ? `[${nums.join(', ')}]` : whole;
  });
}
