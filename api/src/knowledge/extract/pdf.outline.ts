/**
 * PDF headings from the document outline (bookmarks): many PDFs — laws, reports exported with
 * bookmarks — set headings in the body font, so font size alone misses them. Each outline entry
 * names a title and a page; the line(s) on that page spelling the title become a heading.
 */
import type { PDFDocumentProxy } from 'pdfjs-dist/types/src/display/api.js';

export interface OutlineEntry {
  title: string;
  /** 0 for top-level entries. */
  depth: number;
  /** 1-based page. */
  page: number;
}

export interface HeadingLine {
  text: string;
  /** Heading level (1–6) or 0 for body text. */
  level: number;
  /** Lines of one outline heading share a group; consecutive lines of different groups are different headings. */
  group?: number;
}

const MAX_ENTRIES = 5000;
const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

interface RawItem {
  title: string;
  dest: string | unknown[] | null;
  items: RawItem[];
}

/** The outline flattened with page numbers; entries whose destination cannot be resolved are left out. */
export async function readOutline(doc: PDFDocumentProxy): Promise<OutlineEntry[]> {
  const outline = (await doc.getOutline().catch(() => null)) as RawItem[] | null;
  const out: OutlineEntry[] = [];
  const walk = async (items: RawItem[], depth: number): Promise<void> => {
    for (const item of items) {
      if (out.length >= MAX_ENTRIES) return;
      try {
        const dest = typeof item.dest === 'string' ? await doc.getDestination(item.dest) : item.dest;
        const ref = Array.isArray(dest) ? dest[0] : undefined;
        const index =
          typeof ref === 'number'
            ? ref
            : ref && typeof ref === 'object'
              ? await doc.getPageIndex(ref as { num: number; gen: number })
              : undefined;
        const title = norm(item.title ?? '');
        if (index !== undefined && title) out.push({ title, depth, page: index + 1 });
      } catch {
        // a broken destination: that entry gives no heading
      }
      if (item.items?.length) await walk(item.items, depth + 1);
    }
  };
  if (outline) await walk(outline, 0);
  return out;
}

/**
 * Marks the lines that spell an outline entry's title (on its page, also over up to three wrapped
 * lines) as headings. Lines already headings by font size keep their level; the outline's depth
 * is shifted to agree with them (the shift seen most among entries that are both), else depth + 1.
 */
export function applyOutline(pages: HeadingLine[][], outline: readonly OutlineEntry[]): void {
  const matches: { page: number; from: number; to: number; depth: number }[] = [];
  for (const entry of outline) {
    const lines = pages[entry.page - 1];
    if (!lines) continue;
    for (let i = 0; i < lines.length; i++) {
      let text = norm(lines[i]!.text);
      let j = i;
      while (text !== entry.title && entry.title.startsWith(`${text} `) && j < i + 2 && j + 1 < lines.length) {
        j++;
        text = `${text} ${norm(lines[j]!.text)}`;
      }
      if (text === entry.title) {
        matches.push({ page: entry.page - 1, from: i, to: j, depth: entry.depth });
        break;
      }
    }
  }
  const shifts = new Map<number, number>();
  for (const m of matches) {
    const level = pages[m.page]![m.from]!.level;
    if (level > 0) shifts.set(level - m.depth, (shifts.get(level - m.depth) ?? 0) + 1);
  }
  const shift = [...shifts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 1;
  matches.forEach((m, group) => {
    const lines = pages[m.page]!;
    if (lines[m.from]!.level > 0) return;
    const level = Math.min(6, Math.max(1, m.depth + shift));
    for (let k = m.from; k <= m.to; k++) Object.assign(lines[k]!, { level, group });
  });
}
