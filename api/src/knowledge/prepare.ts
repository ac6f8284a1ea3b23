/**
 * From text to storable chunks — pure: law Markdown or an extracted document → chunks with
 * heading path, ontology tags and the weighted texts of the full-text vector; language detection;
 * the page count used for the ingest rate.
 */
import { chunkByHeadings, chunkLaw, parseLawHeader, type ChunkDraft, type LawHeader } from './chunk.js';
import type { ConceptIndex } from './ontology.js';
import type { PreparedChunk, TextSearchLanguage } from './store.js';

/** A "page" of a document without pages, for the ingest rate: ~3,000 characters. */
export const CHARS_PER_PAGE = 3000;

const DE = new Set([
  'der',
  'die',
  'das',
  'und',
  'ist',
  'nicht',
  'mit',
  'für',
  'von',
  'des',
  'den',
  'ein',
  'eine',
  'auf',
  'werden',
  'sind',
  'oder',
]);
const EN = new Set(['the', 'and', 'is', 'not', 'with', 'for', 'of', 'to', 'a', 'an', 'on', 'are', 'be', 'or', 'this', 'that', 'in']);

/** German or English, by counting common function words (German wins ties: the product's home market). */
export function detectLanguage(text: string): TextSearchLanguage {
  let de = 0;
  let en = 0;
  for (const w of text
    .slice(0, 20000)
    .toLowerCase()
    .split(/[^\p{L}]+/u)) {
    if (DE.has(w)) de++;
    if (EN.has(w)) en++;
  }
  return en > de * 1.2 ? 'english' : 'german';
}

export interface PreparedDocument {
  law?: LawHeader;
  language: TextSearchLanguage;
  /** law sections, extractor pages, or ~3,000-character pieces */
  pages: number;
  chunks: PreparedChunk[];
}

function finish(drafts: readonly ChunkDraft[], concepts: ConceptIndex, docName: string, lawAbbr?: string): PreparedChunk[] {
  return drafts.map((d) => {
    const terms = concepts.tag(`${d.sectionTitle}\n${d.text}`);
    const head = [lawAbbr, d.section, d.sectionTitle, d.paragraph].filter(Boolean).join(' ');
    return {
      ordinal: d.ordinal,
      section: d.section,
      sectionTitle: d.sectionTitle,
      ...(d.paragraph !== undefined ? { paragraph: d.paragraph } : {}),
      headingPath: d.headingPath,
      ...(d.page !== undefined ? { page: d.page } : {}),
      text: d.text,
      terms,
      head,
      labels: concepts.labels(terms).join(' , '),
      docName,
    };
  });
}

/** True when the text is a gesetze-im-internet.de law file (title block and § headings). */
export function looksLikeLaw(text: string): boolean {
  return parseLawHeader(text) !== undefined && /^# §/m.test(text);
}

export function prepareLaw(markdown: string, concepts: ConceptIndex): PreparedDocument {
  const law = parseLawHeader(markdown);
  if (!law) throw new Error('not a law file: the first line must be "% Title (Name - ABBR)"');
  const drafts = chunkLaw(markdown, law.abbreviation);
  const sections = new Set(drafts.map((d) => d.section)).size;
  return {
    law,
    language: 'german',
    pages: sections,
    chunks: finish(drafts, concepts, `${law.abbreviation} ${law.shortName} ${law.title}`, law.abbreviation),
  };
}

export function prepareExtracted(
  pages: ReadonlyArray<{ page: number | undefined; text: string }>,
  title: string,
  concepts: ConceptIndex,
): PreparedDocument {
  const all = pages.map((p) => p.text).join('\n');
  const drafts = chunkByHeadings(pages, title);
  const numbered = pages.filter((p) => p.page !== undefined).length;
  return {
    language: detectLanguage(all),
    pages: numbered > 0 ? numbered : Math.max(1, Math.ceil(all.length / CHARS_PER_PAGE)),
    chunks: finish(drafts, concepts, title),
  };
}
