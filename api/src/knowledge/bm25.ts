/**
 * In-process BM25F ranking over the tsvectors PostgreSQL computed — pure. PostgreSQL does the
 * language work (German/English stemming, stop words, weights A–D per field); ts_rank has no
 * inverse document frequency and ranking thousands of OR-matches in PGlite took 120–270 ms, so
 * the ranking runs here on an index rebuilt whenever the corpus version changes.
 *
 * A query is a list of groups; a group is a list of alternatives; an alternative is a set of
 * lexemes that must all occur in the chunk (a multi-word ontology label, or one stemmed word).
 *   score(c) = Σ_groups max_alternatives Σ_lexemes idf(t) · tf(t,c)·(k1+1) / (tf(t,c) + k1·(1−b+b·len(c)/avglen))
 * with tf weighted by field (A heading 3, B ontology labels 1, C document name 0.3, D body 1).
 */
import type { ChunkFilters } from './retrieve.js';

export const K1 = 1.2;
export const B = 0.75;
/** Added to the saturated term factor when the lexeme is in the chunk's heading (law, §, title, Absatz). */
export const HEADING_BONUS = 1;
export const FIELD_WEIGHTS = { A: 5, B: 1, C: 0.3, D: 1 } as const;

export interface IndexRow {
  id: string;
  documentId: string;
  section: string;
  paragraph: string | null;
  /** tsvector in its text form: 'lexeme':1A,2 'other':3 */
  tsv: string;
  law: string | null;
  type: string;
  jurisdiction: string | null;
  siteId: string | null;
  tags: string[];
  validFrom: string | null;
  validTo: string | null;
}

export interface ChunkMeta extends Omit<IndexRow, 'tsv'> {
  lawKey: string | undefined;
  /** number of positions (a length measure) */
  length: number;
}

/** One way to match a group: all lexemes must occur; `weight` scales its score (ontology expansions < 1). */
export interface Alternative {
  lexemes: string[];
  weight: number;
}
export type QueryGroup = Alternative[];

export interface ScoredChunk {
  index: number;
  score: number;
  /** share of the groups' weight matched, 0…1 */
  coverage: number;
}

/** Parses the text form of a tsvector into lexeme → field-weighted term frequency, and its length. */
export function parseTsvector(text: string): { tf: Map<string, number>; length: number; heading: Set<string> } {
  const tf = new Map<string, number>();
  const heading = new Set<string>();
  let length = 0;
  const re = /'((?:[^']|'')*)'(?::([0-9A-D,]+))?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const lexeme = m[1]!.replace(/''/g, "'").replace(/\\\\/g, '\\');
    let w = 0;
    if (!m[2]) {
      w = FIELD_WEIGHTS.D;
      length++;
    } else {
      for (const pos of m[2].split(',')) {
        const field = pos.slice(-1);
        if (field === 'A') heading.add(lexeme);
        w += field in FIELD_WEIGHTS ? FIELD_WEIGHTS[field as keyof typeof FIELD_WEIGHTS] : FIELD_WEIGHTS.D;
        length++;
      }
    }
    tf.set(lexeme, (tf.get(lexeme) ?? 0) + w);
  }
  return { tf, length, heading };
}

export class Bm25Index {
  readonly chunks: ChunkMeta[] = [];
  /** per lexeme: chunk index and the BM25 term-frequency factor tf·(k1+1)/(tf + k1·(1−b+b·len/avglen)) */
  private readonly postings = new Map<string, Array<{ c: number; f: number }>>();
  private avgLength = 1;

  constructor(rows: readonly IndexRow[]) {
    let total = 0;
    const parsed = rows.map((row) => {
      const { tsv, ...meta } = row;
      const p = parseTsvector(tsv);
      this.chunks.push({ ...meta, lawKey: row.law ? row.law.split(/\s+/)[0]!.toLowerCase() : undefined, length: p.length });
      total += p.length;
      return p;
    });
    this.avgLength = rows.length ? total / rows.length : 1;
    parsed.forEach(({ tf, length, heading }, c) => {
      const norm = K1 * (1 - B + (B * length) / this.avgLength);
      for (const [lexeme, f] of tf) {
        let list = this.postings.get(lexeme);
        if (!list) this.postings.set(lexeme, (list = []));
        // saturation would flatten the heading weight: a match in the heading gets a bonus on top
        list.push({ c, f: (f * (K1 + 1)) / (f + norm) + (heading.has(lexeme) ? HEADING_BONUS : 0) });
      }
    });
  }

  get size(): number {
    return this.chunks.length;
  }

  df(lexeme: string): number {
    return this.postings.get(lexeme)?.length ?? 0;
  }

  idf(df: number): number {
    const n = this.chunks.length;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Lexemes the corpus knows. */
  has(lexeme: string): boolean {
    return this.postings.has(lexeme);
  }

  /** Whether chunk i passes the metadata filters. */
  passes(i: number, f: ChunkFilters): boolean {
    const c = this.chunks[i]!;
    const list = <T>(v: T | T[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
    const types = list(f.type);
    if (types?.length && !types.includes(c.type as never)) return false;
    if (f.jurisdiction !== undefined && (c.jurisdiction ?? '').toLowerCase() !== f.jurisdiction.toLowerCase()) return false;
    const laws = list(f.law)?.map((l) => l.trim().split(/\s+/)[0]!.toLowerCase());
    if (laws?.length && (c.lawKey === undefined || !laws.includes(c.lawKey))) return false;
    if (f.siteId !== undefined && c.siteId !== f.siteId) return false;
    if (f.tags?.length && !f.tags.every((t) => c.tags.includes(t))) return false;
    if (f.validAt !== undefined) {
      if (c.validFrom !== null && c.validFrom > f.validAt) return false;
      if (c.validTo !== null && c.validTo < f.validAt) return false;
    }
    if (f.documentIds?.length && !f.documentIds.includes(c.documentId)) return false;
    return true;
  }

  /** Weight of a group for coverage: its best alternative's summed idf (unknown lexemes count as df 0). */
  groupWeight(group: QueryGroup): number {
    return Math.max(
      0,
      ...group
        .filter((a) => a.weight >= 1)
        .map((alt) => alt.lexemes.reduce((a, t) => a + this.idf(this.df(t)), 0) / Math.max(1, alt.lexemes.length)),
    );
  }

  /** Scores every chunk that matches at least one alternative completely; unsorted. Typed arrays, no per-hit allocation. */
  score(groups: readonly QueryGroup[], filters: ChunkFilters): ScoredChunk[] {
    const n = this.chunks.length;
    const total = new Float64Array(n);
    const covered = new Float64Array(n);
    const best = new Float64Array(n);
    const acc = new Float64Array(n);
    const count = new Uint16Array(n);
    const seen = new Uint8Array(n);
    const touched: number[] = [];
    const bestTouched: number[] = [];
    const accTouched: number[] = [];
    const weights = groups.map((g) => this.groupWeight(g));
    const totalWeight = weights.reduce((a, w) => a + w, 0) || 1;
    groups.forEach((group, gi) => {
      for (const { lexemes: alt, weight } of group) {
        if (alt.length === 0 || !alt.every((t) => this.postings.has(t))) continue;
        for (const t of alt) {
          const w = weight * this.idf(this.df(t));
          for (const p of this.postings.get(t)!) {
            if (count[p.c] === 0) accTouched.push(p.c);
            acc[p.c] = acc[p.c]! + w * p.f;
            count[p.c] = count[p.c]! + 1;
          }
        }
        for (const c of accTouched) {
          const a = acc[c]!;
          if (count[c] === alt.length && a > best[c]!) {
            if (best[c] === 0) bestTouched.push(c);
            best[c] = a;
          }
          acc[c] = 0;
          count[c] = 0;
        }
        accTouched.length = 0;
      }
      for (const c of bestTouched) {
        if (!seen[c]) {
          seen[c] = 1;
          touched.push(c);
        }
        total[c] = total[c]! + best[c]!;
        covered[c] = covered[c]! + weights[gi]!;
        best[c] = 0;
      }
      bestTouched.length = 0;
    });
    const out: ScoredChunk[] = [];
    for (const index of touched) {
      if (!this.passes(index, filters)) continue;
      out.push({ index, score: total[index]!, coverage: covered[index]! / totalWeight });
    }
    return out;
  }
}
