/**
 * PDF text with page numbers, by pdf.js (pdfjs-dist 5.6, legacy build: runs on Node 20, no
 * worker thread, no canvas). Lines are rebuilt from the text items' positions; lines set in a
 * clearly larger font than the body text become Markdown headings (PDF has no heading
 * structure, so this is a heuristic: `#` for the largest size, `##`, `###` for the next ones).
 * A PDF that needs a password is `encrypted`; one pdf.js cannot parse is `corrupt`.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { TextItem } from 'pdfjs-dist/types/src/display/api.js';
import { applyOutline, readOutline } from './pdf.outline.js';
import { ExtractionError, type ExtractedDocument } from './types.js';

// Character maps (CJK and other CID fonts) and the standard 14 fonts' metrics ship with pdfjs-dist;
// pdf.js on Node reads them from these directories.
const PDFJS_DIR = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const CMAP_DIR = `${join(PDFJS_DIR, 'cmaps')}/`;
const STANDARD_FONT_DIR = `${join(PDFJS_DIR, 'standard_fonts')}/`;

interface Line {
  text: string;
  /** Font height in PDF units (the text matrix's vertical scale). */
  size: number;
  /** Heading level 1–6, 0 for body text (set by font size, then by the outline). */
  level: number;
  /** Set on lines of one outline heading (see pdf.outline.ts). */
  group?: number;
}

export async function extractPdf(bytes: Uint8Array): Promise<ExtractedDocument> {
  // pdf.js takes ownership of (and detaches) the buffer it is given: hand it a copy.
  const task = getDocument({
    data: new Uint8Array(bytes),
    cMapUrl: CMAP_DIR,
    cMapPacked: true,
    standardFontDataUrl: STANDARD_FONT_DIR,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 0,
    stopAtErrors: false,
  });
  let doc;
  try {
    doc = await task.promise;
  } catch (err) {
    await task.destroy().catch(() => undefined);
    throw mapPdfError(err);
  }
  try {
    const pageLines: Line[][] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      pageLines.push(toLines(content.items.filter((i): i is TextItem => 'str' in i)));
      page.cleanup();
    }
    const headingSizes = headingLevels(pageLines);
    for (const lines of pageLines) {
      for (const l of lines) {
        const level = headingSizes.get(Math.round(l.size * 2) / 2) ?? 0;
        l.level = level && l.text.length <= 150 && /[\p{L}\d]/u.test(l.text) ? level : 0;
      }
    }
    applyOutline(pageLines, await readOutline(doc));
    const pages = pageLines.map((lines, i) => ({ page: i + 1, text: joinLines(lines) }));
    const meta = await doc.getMetadata().catch(() => undefined);
    const info = meta?.info as { Title?: unknown } | undefined;
    const metaTitle = typeof info?.Title === 'string' ? info.Title.trim() : '';
    const firstHeading = /^#{1,6} (.+)$/m.exec(pages.map((p) => p.text).join('\n'))?.[1];
    const title = metaTitle || firstHeading;
    return { mimeType: 'application/pdf', ...(title ? { title } : {}), pages };
  } catch (err) {
    throw err instanceof ExtractionError ? err : mapPdfError(err);
  } finally {
    await doc.destroy();
  }
}

function mapPdfError(err: unknown): ExtractionError {
  const e = err as { name?: string; message?: string };
  if (e.name === 'PasswordException') {
    return new ExtractionError('encrypted', 'The PDF is password-protected; remove the password (print to a new PDF) and upload it again', {
      cause: err,
    });
  }
  const reason = e.message ?? String(err);
  return new ExtractionError(
    'corrupt',
    `The PDF cannot be read (${reason}); it may be truncated or damaged — export it again and re-upload`,
    {
      cause: err,
    },
  );
}

/** Groups text items into lines by their baseline; items on one baseline are joined left to right. */
function toLines(items: TextItem[]): Line[] {
  const lines: Line[] = [];
  let text = '';
  let size = 0;
  let lastY: number | undefined;
  let lastEndX: number | undefined;
  const push = () => {
    const t = text.replace(/\s+/g, ' ').trim();
    if (t) lines.push({ text: t, size, level: 0 });
    text = '';
    size = 0;
    lastEndX = undefined;
  };
  for (const item of items) {
    const [, , , d, x, y] = item.transform as number[];
    const height = Math.abs(d ?? item.height) || item.height;
    if (lastY !== undefined && y !== undefined && Math.abs(y - lastY) > Math.max(1, height * 0.5)) push();
    if (item.str) {
      // pdf.js leaves out the space between words set as separate items: add one where there is a gap.
      if (text && lastEndX !== undefined && x !== undefined && x - lastEndX > height * 0.15 && !/\s$/.test(text)) text += ' ';
      text += item.str;
      size = Math.max(size, height);
      lastEndX = (x ?? 0) + item.width;
    }
    if (y !== undefined) lastY = y;
    if (item.hasEOL) push();
  }
  push();
  return lines;
}

/**
 * Font sizes that mark headings: the body size is the one carrying most characters; sizes at
 * least 1.2× larger, on short lines, rank as heading levels 1–3 (largest first).
 */
function headingLevels(pages: Line[][]): Map<number, number> {
  const charsBySize = new Map<number, number>();
  for (const lines of pages) {
    for (const l of lines) {
      const s = Math.round(l.size * 2) / 2;
      charsBySize.set(s, (charsBySize.get(s) ?? 0) + l.text.length);
    }
  }
  let body = 0;
  let most = -1;
  for (const [s, n] of charsBySize) {
    if (n > most) {
      most = n;
      body = s;
    }
  }
  const larger = [...charsBySize.keys()].filter((s) => s >= body * 1.2).sort((a, b) => b - a);
  return new Map(larger.slice(0, 3).map((s, i) => [s, i + 1]));
}

function joinLines(lines: Line[]): string {
  const out: string[] = [];
  let lastLevel = 0;
  let lastGroup: number | undefined;
  for (const l of lines) {
    const level = l.level;
    if (level) {
      // A heading wrapped over two lines continues the one before it (same size, or same outline entry).
      if (lastLevel === level && lastGroup === l.group) out[out.length - 1] = `${out[out.length - 1]!.replace(/\n$/, '')} ${l.text}\n`;
      else out.push(`\n${'#'.repeat(level)} ${l.text}\n`);
      lastLevel = level;
      lastGroup = l.group;
    } else {
      // A word broken over two lines ("Netz-" / "betreiber") is joined again; a hyphen before a
      // capital stays (German compounds: "Netzbetreiber-" / "Merkblatt").
      const prev = out[out.length - 1];
      if (lastLevel === 0 && prev !== undefined && /\p{Ll}-$/u.test(prev) && /^\p{Ll}/u.test(l.text)) {
        out[out.length - 1] = `${prev.slice(0, -1)}${l.text}`;
      } else out.push(l.text);
      lastLevel = 0;
    }
  }
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
