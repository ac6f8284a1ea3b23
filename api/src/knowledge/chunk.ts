/**
 * Chunking by structure — pure. Laws (gesetze-im-internet.de Markdown: `% Title (Name - ABBR)`,
 * `# § N – Title`, paragraphs `(1)`, `(2)` …) are cut by § and Absatz; long Absätze are cut again
 * at numbered items / sentences. Other documents are cut by their Markdown headings. Every chunk
 * keeps its heading path so a citation names law, § and Absatz (or the heading path) exactly.
 */

export interface ChunkDraft {
  ordinal: number;
  /** "§ 14a", "Anlage 4", or the heading path joined by " > " */
  section: string;
  /** the § title or the last heading */
  sectionTitle: string;
  /** "Abs. 2" (laws), possibly with "Nr. 3–7" when an Absatz was cut */
  paragraph?: string;
  headingPath: string[];
  page?: number;
  text: string;
}

export interface LawHeader {
  /** the long title without the abbreviation, e.g. "Gesetz über die Elektrizitäts- und Gasversorgung" */
  title: string;
  /** the short name, e.g. "Energiewirtschaftsgesetz" (may equal the abbreviation) */
  shortName: string;
  /** e.g. "EnWG", "EEG 2023" */
  abbreviation: string;
  /** "Ausfertigungsdatum" as ISO date, when given */
  enactedOn?: string;
}

/** Target size of a chunk; an Absatz longer than MAX_CHARS is cut at item or sentence boundaries. */
export const MAX_CHARS = 1800;

/** Reads the `% …` title block of a gesetze-im-internet.de Markdown file; undefined when it is not one. */
export function parseLawHeader(markdown: string): LawHeader | undefined {
  const lines = markdown.split('\n', 6);
  const first = lines[0]?.startsWith('% ') ? lines[0].slice(2).trim() : undefined;
  if (!first) return undefined;
  // "Long title  (Short name - ABBR)" or "Energiesteuergesetz  (EnergieStG)"
  const m = /^(.*?)\s*\(([^()]*)\)\s*$/.exec(first);
  let title = first;
  let shortName = first;
  let abbreviation = first;
  if (m) {
    title = m[1]!.replace(/[*\d]+$/, '').trim();
    const inner = m[2]!.trim();
    const dash = inner.lastIndexOf(' - ');
    if (dash > 0) {
      shortName = inner.slice(0, dash).trim();
      abbreviation = inner.slice(dash + 3).trim();
    } else {
      shortName = title;
      abbreviation = inner;
    }
  }
  const date = lines.map((l) => /^% Ausfertigungsdatum:\s*(\d{2})\.(\d{2})\.(\d{4})/.exec(l)).find(Boolean);
  return { title, shortName, abbreviation, ...(date ? { enactedOn: `${date[3]}-${date[2]}-${date[1]}` } : {}) };
}

/** Plain text for indexing and display: HTML tags out, entities decoded, whitespace tidied. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/<\/(td|th)>/gi, ' | ')
    .replace(/<\/(tr|p|div|li)>|<br\s*\/?>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Cuts text into pieces ≤ max at block (blank line) boundaries, then at sentence ends. */
export function pack(blocks: readonly string[], max: number = MAX_CHARS): string[] {
  const pieces: string[] = [];
  let cur = '';
  const flush = () => {
    if (cur.trim()) pieces.push(cur.trim());
    cur = '';
  };
  for (const block of blocks) {
    if (block.length > max) {
      flush();
      const sentences = block.split(/(?<=[.;:])\s+(?=[A-ZÄÖÜ0-9(])/);
      for (const s of sentences) {
        if (cur && cur.length + s.length + 1 > max) flush();
        if (s.length > max) {
          for (let i = 0; i < s.length; i += max) pieces.push(s.slice(i, i + max).trim());
          continue;
        }
        cur = cur ? `${cur} ${s}` : s;
      }
      flush();
      continue;
    }
    if (cur && cur.length + block.length + 2 > max) flush();
    cur = cur ? `${cur}\n\n${block}` : block;
  }
  flush();
  return pieces;
}

const SECTION_HEADING = /^# (§§? ?[\d]+[a-z]?(?: bis [\d]+[a-z]?)?|Anlage(?: [\d]+[a-z]?)?|Eingangsformel|Schlussformel)(?: – (.*))?$/;
const ABSATZ = /^\((\d+[a-z]?)\)\s/;
const ITEM = /^(\d+[a-z]?)\.\s/;

/** "7. Betreiber von Fernleitungsnetzen" (a defined term on its own) joins the definition after it. */
function joinItemLabels(blocks: readonly string[]): string[] {
  const out: string[] = [];
  let label: string | undefined;
  for (const b of blocks) {
    const joined = label !== undefined ? `${label}\n${b}` : b;
    label = undefined;
    if (ITEM.test(joined) && joined.length <= 160 && !joined.includes('\n') && !/[.;:,]$/.test(joined)) label = joined;
    else out.push(joined);
  }
  if (label !== undefined) out.push(label);
  return out;
}

function normaliseSection(raw: string): string {
  return raw.replace(/^(§§?)\s*/, '$1 ');
}

/** A law file → chunks by § and Absatz. The Inhaltsübersicht (table of contents) is skipped. */
export function chunkLaw(markdown: string, abbreviation: string): ChunkDraft[] {
  const lines = markdown.split('\n');
  const sections: Array<{ section: string; title: string; body: string[] }> = [];
  let cur: { section: string; title: string; body: string[] } | undefined;
  for (const line of lines) {
    if (line.startsWith('# ')) {
      const m = SECTION_HEADING.exec(line.trimEnd());
      if (m) {
        cur = { section: normaliseSection(m[1]!), title: (m[2] ?? '').trim(), body: [] };
        sections.push(cur);
      } else cur = undefined; // Inhaltsübersicht and other non-section headings
      continue;
    }
    if (line.startsWith('% ')) continue;
    cur?.body.push(line);
  }
  const chunks: ChunkDraft[] = [];
  for (const s of sections) {
    const body = plainText(s.body.join('\n'));
    if (!body && !s.title) continue;
    const sectionHead = s.title ? `${s.section} – ${s.title}` : s.section;
    // group blocks by Absatz
    const blocks = joinItemLabels(body ? body.split(/\n{2,}/) : [s.title]);
    const groups: Array<{ absatz?: string; blocks: string[] }> = [];
    for (const b of blocks) {
      const m = ABSATZ.exec(b);
      if (m || groups.length === 0) groups.push({ ...(m ? { absatz: m[1]! } : {}), blocks: [b] });
      else groups[groups.length - 1]!.blocks.push(b);
    }
    for (const g of groups) {
      const pieces = pack(g.blocks);
      pieces.forEach((text, i) => {
        let paragraph = g.absatz !== undefined ? `Abs. ${g.absatz}` : undefined;
        if (pieces.length > 1) {
          const items = text
            .split(/\n{2,}/)
            .map((b) => ITEM.exec(b)?.[1])
            .filter((x): x is string => x !== undefined);
          const range = items.length ? `Nr. ${items[0]}${items.length > 1 ? `–${items[items.length - 1]}` : ''}` : `Teil ${i + 1}`;
          paragraph = paragraph ? `${paragraph} ${range}` : range;
        }
        chunks.push({
          ordinal: chunks.length,
          section: s.section,
          sectionTitle: s.title,
          ...(paragraph ? { paragraph } : {}),
          headingPath: [abbreviation, sectionHead, ...(paragraph ? [paragraph] : [])],
          text,
        });
      });
    }
  }
  return chunks;
}

/** Pages of any document → chunks by Markdown headings (`#`…`######`), page numbers kept. */
export function chunkByHeadings(pages: ReadonlyArray<{ page: number | undefined; text: string }>, title: string): ChunkDraft[] {
  const chunks: ChunkDraft[] = [];
  const path: Array<{ level: number; text: string }> = [];
  let blocks: string[] = [];
  let page: number | undefined;
  const flush = () => {
    const text = blocks.join('\n\n').trim();
    blocks = [];
    if (!text) return;
    const headings = path.map((h) => h.text);
    const section = headings.length ? headings.join(' > ') : title;
    for (const piece of pack(plainText(text).split(/\n{2,}/))) {
      chunks.push({
        ordinal: chunks.length,
        section,
        sectionTitle: headings[headings.length - 1] ?? title,
        headingPath: [title, ...headings],
        ...(page !== undefined ? { page } : {}),
        text: piece,
      });
    }
  };
  for (const p of pages) {
    // a new page starts a new chunk so that every chunk has one page number
    if (p.page !== page) {
      flush();
      page = p.page;
    }
    let para: string[] = [];
    const endPara = () => {
      if (para.length) blocks.push(para.join('\n'));
      para = [];
    };
    for (const line of p.text.split('\n')) {
      const h = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
      if (h) {
        endPara();
        flush();
        const level = h[1]!.length;
        while (path.length && path[path.length - 1]!.level >= level) path.pop();
        path.push({ level, text: h[2]! });
        continue;
      }
      if (!line.trim()) endPara();
      else para.push(line);
    }
    endPara();
  }
  flush();
  return chunks;
}
