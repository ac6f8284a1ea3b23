/** The knowledge page's data: cited answers and documents — pure. */

export interface Citation {
  n: number;
  document: string;
  section: string;
  paragraph: string | null;
  page: number | null;
  text: string;
  documentId: string;
  headingPath: string[];
  score: number;
}

export interface Answer {
  answer: string;
  found: boolean;
  mode: string;
  citations: Citation[];
}

export interface DocumentView {
  id: string;
  title: string;
  type: string;
  law: string | null;
  filename: string;
  pages: number;
  chunkCount: number;
  builtin: boolean;
  status: string;
  validFrom: string | null;
  validTo: string | null;
  source: string | null;
  createdAt: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strOrNull = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

export function parseAnswer(body: unknown): Answer | null {
  if (!isRecord(body) || typeof body.answer !== 'string') return null;
  const cites = Array.isArray(body.citations) ? body.citations.filter(isRecord) : [];
  return {
    answer: body.answer,
    found: body.found === true,
    mode: str(body.mode),
    citations: cites.map((c, i) => ({
      n: i + 1,
      document: str(c.document),
      section: str(c.section),
      paragraph: strOrNull(c.paragraph),
      page: typeof c.page === 'number' ? c.page : null,
      text: str(c.text),
      documentId: str(c.documentId),
      headingPath: Array.isArray(c.headingPath) ? c.headingPath.map(String) : [],
      score: typeof c.score === 'number' ? c.score : 0,
    })),
  };
}

export type AnswerPart = { kind: 'text'; text: string } | { kind: 'cite'; n: number };

/** Splits "… gilt [1, 2]. Ferner [3]" into text and citation markers; numbers without a citation stay text. */
export function answerParts(answer: string, citationCount: number): AnswerPart[] {
  const parts: AnswerPart[] = [];
  let last = 0;
  for (const m of answer.matchAll(/\[(\d+(?:\s*,\s*\d+)*)\]/g)) {
    const nums = m[1]!.split(',').map((x) => Number(x.trim()));
    if (!nums.every((n) => n >= 1 && n <= citationCount)) continue;
    if (m.index > last) parts.push({ kind: 'text', text: answer.slice(last, m.index) });
    for (const n of nums) parts.push({ kind: 'cite', n });
    last = m.index + m[0].length;
  }
  if (last < answer.length) parts.push({ kind: 'text', text: answer.slice(last) });
  return parts;
}

/** "EnWG § 14a Abs. 1, page 3" — where a citation points. */
export function citationLabel(c: Citation, pageWord: string): string {
  return [c.document, c.section, c.paragraph, c.page !== null ? `${pageWord} ${c.page}` : null].filter(Boolean).join(', ');
}

export function parseDocument(v: unknown): DocumentView | null {
  if (!isRecord(v) || typeof v.id !== 'string') return null;
  return {
    id: v.id,
    title: str(v.title) || str(v.filename),
    type: str(v.type),
    law: strOrNull(v.law),
    filename: str(v.filename),
    pages: typeof v.pages === 'number' ? v.pages : 0,
    chunkCount: typeof v.chunkCount === 'number' ? v.chunkCount : 0,
    builtin: v.builtin === true,
    status: str(v.status),
    validFrom: strOrNull(v.validFrom),
    validTo: strOrNull(v.validTo),
    source: strOrNull(v.source),
    createdAt: str(v.createdAt),
  };
}

export function parseDocuments(body: unknown): { documents: DocumentView[]; preload: string } {
  if (!isRecord(body)) return { documents: [], preload: '' };
  const docs = Array.isArray(body.documents) ? body.documents.map(parseDocument).filter((d): d is DocumentView => d !== null) : [];
  const preload = isRecord(body.preload) ? str(body.preload.state) : '';
  return { documents: docs, preload };
}

const TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  html: 'text/html',
  htm: 'text/html',
  md: 'text/markdown',
  txt: 'text/plain',
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Content type of a document upload by its extension (the service detects the type again). */
export function documentType(filename: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase() ?? '';
  return TYPES[ext] ?? 'application/octet-stream';
}
