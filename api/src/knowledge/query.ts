/**
 * Question analysis — pure. Finds exact section references ("§ 14a EnWG", "§ 19 Abs. 2
 * StromNEV", "section 51 EEG"), mentioned laws (by abbreviation or name) and ontology concepts,
 * and groups the question's words into search groups for the lexical retriever.
 */
import type { ConceptIndex } from './ontology.js';

export interface LawName {
  /** comparison key: abbreviation's first word, lower case ("eeg" for "EEG 2023") */
  key: string;
  abbreviation: string;
  /** short, long and English names, e.g. "Energiewirtschaftsgesetz", "Energy Industry Act" */
  names: string[];
  /** the subject of the law ("Stromsteuer", "electricity tax"): boosts the law but stays in the search */
  topics?: string[];
}

/** "Stromsteuergesetz" → "Stromsteuer", "Electricity Tax Act" → "Electricity Tax", "Messstellenbetriebsgesetz" → "Messstellenbetrieb". */
export function lawTopic(name: string): string | undefined {
  const stripped = name
    .replace(/\s+(Act|Ordinance)$/i, '')
    .replace(/(gesetz|verordnung)$/i, '')
    .replace(/([^aeiouäöüs])s$/i, '$1')
    .replace(/-$/, '')
    .trim();
  return stripped !== name && stripped.length >= 8 ? stripped : undefined;
}

export interface SectionRef {
  /** "§ 14a" */
  section: string;
  /** law key when the question names one */
  law?: string;
  /** "2" for "Abs. 2" */
  absatz?: string;
}

export interface AnalysedQuestion {
  sections: SectionRef[];
  /** law keys the question names */
  laws: string[];
  /** ontology concept ids the question mentions */
  concepts: string[];
  /** the question with section references and law names taken out (what is left to search) */
  rest: string;
}

/** "EEG 2023" → "eeg"; "Mess- und Eichgesetz" names stay as they are. */
export function lawKey(abbreviation: string): string {
  return abbreviation.trim().split(/\s+/)[0]!.toLowerCase();
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function analyseQuestion(question: string, laws: readonly LawName[], concepts: ConceptIndex): AnalysedQuestion {
  let rest = ` ${question} `;
  const mentioned: Array<{ key: string; at: number }> = [];
  // Longest names first so "Stromsteuer-Durchführungsverordnung" wins over "Stromsteuer…".
  const candidates = laws
    .flatMap((l) => [l.abbreviation, l.key, ...l.names].map((n) => ({ key: l.key, name: n })))
    .filter((c) => c.name.length >= 3)
    .sort((a, b) => b.name.length - a.name.length);
  for (const c of candidates) {
    // a whole word, not the first part of a compound ("KWKG-Umlage" is a levy, not the KWKG)
    const re = new RegExp(`(?<![\\p{L}\\p{N}-])${esc(c.name)}(?![\\p{L}]|-\\p{L})`, 'iu');
    const m = re.exec(rest);
    if (m) {
      mentioned.push({ key: c.key, at: m.index });
      rest = rest.slice(0, m.index) + ' '.repeat(m[0].length) + rest.slice(m.index + m[0].length);
    }
  }
  mentioned.sort((a, b) => a.at - b.at);
  const lawKeys = [...new Set(mentioned.map((m) => m.key))];
  for (const l of laws) {
    if (lawKeys.includes(l.key)) continue;
    const hit = (l.topics ?? []).some((t) => new RegExp(`(?<![\\p{L}\\p{N}])${esc(t)}`, 'iu').test(question));
    if (hit) lawKeys.push(l.key);
  }

  const sections: SectionRef[] = [];
  const sectionRe =
    /(?:§§?|\bsection|\bparagraph|\bpar\.)\s*(\d+[a-z]?)\b(?:\s*(?:abs\.?|absatz|para\.?|subsection|\()\s*(\d+[a-z]?)\)?)?/giu;
  let m: RegExpExecArray | null;
  while ((m = sectionRe.exec(question)) !== null) {
    const at = m.index;
    // the law named nearest after the reference (or before it when none follows)
    const after = mentioned.find((x) => x.at >= at);
    const before = [...mentioned].reverse().find((x) => x.at < at);
    const law = (after ?? before)?.key;
    sections.push({ section: `§ ${m[1]!.toLowerCase()}`, ...(law ? { law } : {}), ...(m[2] ? { absatz: m[2].toLowerCase() } : {}) });
  }
  rest = rest.replace(sectionRe, ' ').replace(/\s+/g, ' ').trim();
  return { sections, laws: lawKeys, concepts: concepts.tag(question), rest };
}
