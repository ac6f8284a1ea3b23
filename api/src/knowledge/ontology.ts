/**
 * The energy-term ontology (data file `knowledge/ontology.json`) — pure matching. Concepts have
 * German and English labels; a chunk is tagged with the concepts whose labels occur in it, and a
 * question is expanded with the labels of the concepts it mentions (in either language).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Concept {
  id: string;
  de: string[];
  en: string[];
  /** an everyday word ("Dauer", "price"): expands questions, but is no evidence that a question is on-topic */
  general?: boolean;
}

export interface Ontology {
  concepts: Concept[];
  /** question words that carry no topic ("law", "must", "Pflicht" …), ignored when judging relevance */
  fillers: string[];
}

/** The shipped knowledge folder (repository root knowledge/; the same depth from api/src and api/dist). */
export const KNOWLEDGE_DIR: string = fileURLToPath(new URL('../../../knowledge/', import.meta.url));

export function loadOntology(file: string = `${KNOWLEDGE_DIR}ontology.json`): Ontology {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { concepts?: unknown; fillers?: unknown };
  if (!Array.isArray(raw.concepts)) throw new Error(`${file}: "concepts" must be an array`);
  const concepts = raw.concepts.map((c, i) => {
    const x = c as Partial<Concept>;
    if (typeof x.id !== 'string' || !Array.isArray(x.de) || x.de.length === 0)
      throw new Error(`${file}: concept ${i + 1} needs an "id" and at least one German label in "de"`);
    return {
      id: x.id,
      de: x.de.map(String),
      en: Array.isArray(x.en) ? x.en.map(String) : [],
      ...(x.general === true ? { general: true } : {}),
    };
  });
  const ids = new Set<string>();
  for (const c of concepts) {
    if (ids.has(c.id)) throw new Error(`${file}: concept id "${c.id}" appears twice`);
    ids.add(c.id);
  }
  const fillers = Array.isArray(raw.fillers) ? raw.fillers.map((f) => String(f).toLowerCase()) : [];
  return { concepts, fillers };
}

interface Matcher {
  id: string;
  test: (lower: string) => boolean;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A label matches at the start of a word (so "Wärmepumpe" finds "Wärmepumpen"); German labels of
 * six letters or more also inside compounds ("Batteriespeicher" has "speicher"); short labels
 * (≤ 4 letters: "KWK", "PV") only as whole words.
 */
function labelPattern(label: string, german: boolean): RegExp {
  const l = esc(label.toLowerCase());
  if (label.length <= 4) return new RegExp(`(?<![\\p{L}\\p{N}])${l}(?![\\p{L}])`, 'u');
  if (german && label.length >= 6 && !label.includes(' ')) return new RegExp(l, 'u');
  return new RegExp(`(?<![\\p{L}\\p{N}])${l}`, 'u');
}

export class ConceptIndex {
  private readonly matchers: Matcher[];
  readonly byId: ReadonlyMap<string, Concept>;

  constructor(readonly ontology: Ontology) {
    this.byId = new Map(ontology.concepts.map((c) => [c.id, c]));
    this.matchers = ontology.concepts.map((c) => {
      const patterns = [...c.de.map((l) => labelPattern(l, true)), ...c.en.map((l) => labelPattern(l, false))];
      return { id: c.id, test: (lower) => patterns.some((p) => p.test(lower)) };
    });
  }

  /** Concept ids whose labels occur in the text, in ontology order. */
  tag(text: string): string[] {
    const lower = text.toLowerCase();
    return this.matchers.filter((m) => m.test(lower)).map((m) => m.id);
  }

  /** Whether the concept is a domain term (not an everyday word). */
  isDomain(id: string): boolean {
    const c = this.byId.get(id);
    return c !== undefined && c.general !== true;
  }

  /** All labels (German and English) of the given concepts, for the weighted "B" part of a chunk. */
  labels(ids: readonly string[]): string[] {
    return ids.flatMap((id) => {
      const c = this.byId.get(id);
      return c ? [...c.de, ...c.en] : [];
    });
  }
}
