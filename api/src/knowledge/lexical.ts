/**
 * The lexical retriever: PostgreSQL full-text analysis (German and English configurations,
 * weighted fields) ranked by BM25F in process (bm25.ts), with ontology expansion, a boost for the
 * law the question names and exact-section hits ("§ 14a EnWG") first. Deterministic: the same
 * question over the same corpus gives the same ranking (ties broken by chunk id).
 *
 * Groups: one per ontology concept the question mentions (alternatives: each German/English
 * label), one per remaining topical word (alternatives: its German and its English stem).
 * coverage(c) = weight of the groups c matches / weight of all topical groups, including words
 * the corpus does not know — the relevance signal behind "not found in the knowledge base".
 */
import type { Database } from '../store/index.js';
import { Bm25Index, type IndexRow, type QueryGroup } from './bm25.js';
import type { ConceptIndex } from './ontology.js';
import { analyseQuestion, lawKey, lawTopic, type AnalysedQuestion, type LawName } from './query.js';
import type { ChunkFilters, RankedChunk, Retriever } from './retrieve.js';

export const SECTION_BOOST = 1000;
export const LAW_BOOST = 1.6;
/** Weight of an ontology label the question did not use itself (a synonym or translation). */
export const EXPANSION_WEIGHT = 0.7;
/** Share of the other matching paragraphs' scores added to a chunk of the same section (capped at its own score). */
export const SECTION_SHARE = 0.3;

/** What the question is about, for the relevance verdict. */
export interface QuestionSignals {
  /** the question names a law or a section */
  namesLaw: boolean;
  /** domain (not general) ontology concepts in the question */
  domainConcepts: number;
}

export interface LexicalHit extends RankedChunk {
  /** share of the question's topical weight that the chunk matches, 0…1 */
  coverage: number;
  /** the chunk is in a section the question names */
  sectionMatch: boolean;
}

interface Loaded {
  version: number;
  index: Bm25Index;
  laws: LawName[];
}

export class LexicalRetriever implements Retriever {
  readonly name = 'lexical';
  private loaded: Loaded | undefined;
  private loading: Promise<Loaded> | undefined;
  private readonly conceptCache = new Map<string, Array<{ label: string; lexemes: string[] }>>();

  constructor(
    private readonly db: Database,
    private readonly concepts: ConceptIndex,
    /** current corpus version; the index is rebuilt when it changes */
    private readonly version: () => Promise<number>,
    /** further names per law key (English titles from knowledge/corpus.json) */
    private readonly aliases: ReadonlyMap<string, readonly string[]> = new Map(),
  ) {}

  async search(query: string, k: number, filters: ChunkFilters): Promise<RankedChunk[]> {
    return this.searchDetailed(query, k, filters);
  }

  /** Law names known to the corpus. */
  async laws(): Promise<LawName[]> {
    return (await this.load()).laws;
  }

  async analyse(query: string): Promise<AnalysedQuestion> {
    return analyseQuestion(query, (await this.load()).laws, this.concepts);
  }

  async searchDetailed(query: string, k: number, filters: ChunkFilters): Promise<LexicalHit[]> {
    return (await this.searchWithSignals(query, k, filters)).hits;
  }

  async searchWithSignals(query: string, k: number, filters: ChunkFilters): Promise<{ hits: LexicalHit[]; signals: QuestionSignals }> {
    const { index, laws } = await this.load();
    const q = analyseQuestion(query, laws, this.concepts);
    const signals: QuestionSignals = {
      namesLaw: q.laws.length > 0 || q.sections.length > 0,
      domainConcepts: q.concepts.filter((id) => this.concepts.isDomain(id)).length,
    };
    const groups = await this.groups(q, query);
    const scored = index.score(groups, filters);
    const inSection = (i: number) => {
      const c = index.chunks[i]!;
      return q.sections.some((s) => c.section === s.section && c.lawKey !== undefined && (s.law === undefined || s.law === c.lawKey));
    };
    // exact section references also bring in chunks that share no word with the rest of the question
    if (q.sections.length) {
      const seen = new Set(scored.map((s) => s.index));
      index.chunks.forEach((_, i) => {
        if (!seen.has(i) && inSection(i) && index.passes(i, filters)) scored.push({ index: i, score: 0, coverage: 0 });
      });
    }
    // a section whose other paragraphs also match is more likely the answer: add a share of the two
    // best other paragraphs' scores (so long sections gain no edge from their length alone)
    const top3 = new Map<string, number[]>();
    const sectionKey = (i: number) => `${index.chunks[i]!.documentId}|${index.chunks[i]!.section}`;
    for (const s of scored) {
      const key = sectionKey(s.index);
      const list = top3.get(key);
      if (!list) top3.set(key, [s.score]);
      else if (list.length < 3 || s.score > list[2]!) {
        list.push(s.score);
        list.sort((a, b) => b - a);
        if (list.length > 3) list.pop();
      }
    }
    for (const s of scored) {
      const list = top3.get(sectionKey(s.index))!;
      const own = list.indexOf(s.score);
      const others = (own >= 0 ? list.filter((_, j) => j !== own) : list).slice(0, 2).reduce((a, x) => a + x, 0);
      s.score += SECTION_SHARE * Math.min(others, s.score);
    }
    const absatz = q.sections.find((s) => s.absatz)?.absatz;
    const hits = scored.map((s) => {
      const c = index.chunks[s.index]!;
      const sectionMatch = q.sections.length > 0 && inSection(s.index);
      let score = s.score * (c.lawKey !== undefined && q.laws.includes(c.lawKey) ? LAW_BOOST : 1);
      if (sectionMatch) score += SECTION_BOOST + (absatz !== undefined && c.paragraph?.startsWith(`Abs. ${absatz}`) ? 1 : 0);
      return { chunkId: c.id, score, coverage: s.coverage, sectionMatch };
    });
    hits.sort((a, b) => b.score - a.score || (a.chunkId < b.chunkId ? -1 : a.chunkId > b.chunkId ? 1 : 0));
    return { hits: hits.slice(0, Math.max(1, k)), signals };
  }

  /** Term groups of the question: one per ontology concept it mentions, one per remaining topical word. */
  private async groups(q: AnalysedQuestion, question: string): Promise<QueryGroup[]> {
    const fillers = new Set(this.concepts.ontology.fillers);
    const words = [
      ...new Set(
        q.rest
          .split(/[^\p{L}\p{N}-]+/u)
          .map((w) => w.replace(/^-+|-+$/g, ''))
          .filter((w) => w.length > 1 && !fillers.has(w.toLowerCase())),
      ),
    ];
    const lower = question.toLowerCase();
    const groups: QueryGroup[] = [];
    for (const id of q.concepts) {
      const labels = await this.conceptAlternatives(id);
      // the label the question uses counts fully; the concept's other labels are expansions
      const group = labels.map((l) => ({ lexemes: l.lexemes, weight: lower.includes(l.label.toLowerCase()) ? 1 : EXPANSION_WEIGHT }));
      if (group.length) groups.push(group);
    }
    const analysed = await this.analyseTexts(words);
    const conceptLexemes = new Set(groups.flatMap((g) => g.flatMap((a) => a.lexemes)));
    for (const alts of analysed) {
      if (alts.length === 0) continue; // a stop word in both languages
      if (alts.some((a) => a.some((l) => conceptLexemes.has(l)))) continue; // part of a concept the question mentions
      const key = alts.map((a) => a.join(' ')).join('|');
      if (groups.some((g) => g.map((a) => a.lexemes.join(' ')).join('|') === key)) continue; // repeated word
      groups.push(alts.map((lexemes) => ({ lexemes, weight: 1 })));
    }
    return groups;
  }

  /** Each text → its distinct lexeme sets (German and English analysis). */
  private async analyseTexts(texts: readonly string[]): Promise<string[][][]> {
    if (texts.length === 0) return [];
    const { rows } = await this.db.query<{ i: number; de: string[]; en: string[] }>(
      `select i::int as i, tsvector_to_array(to_tsvector('german', t)) as de, tsvector_to_array(to_tsvector('english', t)) as en
       from unnest($1::text[]) with ordinality as x(t, i)`,
      [texts],
    );
    const byIndex = new Map(rows.map((r) => [r.i - 1, r]));
    return texts.map((_, i) => {
      const r = byIndex.get(i);
      if (!r) return [];
      const alts = [r.de, r.en].filter((a) => a.length > 0).map((a) => [...a].sort());
      return alts.filter((a, j) => alts.findIndex((b) => b.join(' ') === a.join(' ')) === j);
    });
  }

  /** A concept's labels analysed once (they do not change while the service runs). */
  private async conceptAlternatives(id: string): Promise<Array<{ label: string; lexemes: string[] }>> {
    const cached = this.conceptCache.get(id);
    if (cached) return cached;
    const labels = this.concepts.labels([id]);
    const analysed = await this.analyseTexts(labels);
    const out: Array<{ label: string; lexemes: string[] }> = [];
    labels.forEach((label, i) => {
      for (const lexemes of analysed[i] ?? [])
        if (!out.some((o) => o.lexemes.join(' ') === lexemes.join(' '))) out.push({ label, lexemes });
    });
    this.conceptCache.set(id, out);
    return out;
  }

  private async load(): Promise<Loaded> {
    const version = await this.version();
    if (this.loaded?.version === version) return this.loaded;
    this.loading ??= (async () => {
      const [{ rows }, { rows: laws }] = await Promise.all([
        this.db.query<IndexRow>(
          `select c.id, c.document_id::text as "documentId", c.section, c.paragraph, c.tsv::text as tsv, d.law, d.doc_type as "type",
             d.jurisdiction, d.site_id as "siteId", d.tags, to_char(d.valid_from, 'YYYY-MM-DD') as "validFrom",
             to_char(d.valid_to, 'YYYY-MM-DD') as "validTo"
           from knowledge_chunks c join knowledge_documents d on d.id = c.document_id
           where c.active order by c.id`,
        ),
        this.db.query<{ law: string; law_name: string | null; title: string }>(
          `select distinct law, law_name, title from knowledge_documents where status = 'active' and law is not null order by law`,
        ),
      ]);
      const lawNames = new Map<string, LawName>();
      for (const l of laws) {
        const key = lawKey(l.law);
        const e = lawNames.get(key) ?? { key, abbreviation: l.law, names: [] };
        for (const name of [l.law_name, l.title, ...(this.aliases.get(key) ?? [])]) if (name && !e.names.includes(name)) e.names.push(name);
        lawNames.set(key, e);
      }
      for (const l of lawNames.values()) l.topics = [...new Set(l.names.map(lawTopic).filter((t): t is string => t !== undefined))];
      return { version, index: new Bm25Index(rows), laws: [...lawNames.values()] };
    })();
    try {
      this.loaded = await this.loading;
      return this.loaded;
    } finally {
      this.loading = undefined;
    }
  }
}
