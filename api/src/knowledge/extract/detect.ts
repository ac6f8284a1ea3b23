/**
 * Which format a document is: by its first bytes where the format has a signature (PDF, ZIP
 * containers), else by the file name's extension, else by the declared MIME type. Pure.
 */
export type DocumentFormat = 'pdf' | 'docx' | 'xlsx' | 'html' | 'markdown' | 'csv' | 'text';

export const FORMAT_MIME: Record<DocumentFormat, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  html: 'text/html',
  markdown: 'text/markdown',
  csv: 'text/csv',
  text: 'text/plain',
};

/** For error messages: what a person may upload. */
export const ACCEPTED_TYPES = 'PDF, DOCX, XLSX, HTML, Markdown, plain text, CSV';

const BY_EXTENSION: Record<string, DocumentFormat> = {
  pdf: 'pdf',
  docx: 'docx',
  xlsx: 'xlsx',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  md: 'markdown',
  markdown: 'markdown',
  txt: 'text',
  text: 'text',
  csv: 'csv',
  tsv: 'csv',
};

const BY_MIME: Record<string, DocumentFormat> = {
  'application/pdf': 'pdf',
  [FORMAT_MIME.docx]: 'docx',
  [FORMAT_MIME.xlsx]: 'xlsx',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/plain': 'text',
  'text/csv': 'csv',
  'text/tab-separated-values': 'csv',
};

/** Known formats we do not read, named in the error so the person knows what to convert. */
const KNOWN_UNSUPPORTED: Record<string, string> = {
  doc: 'Word 97–2003 (.doc) — save it as .docx or PDF',
  xls: 'Excel 97–2003 (.xls) — save it as .xlsx or CSV',
  ppt: 'PowerPoint — save it as PDF',
  pptx: 'PowerPoint — save it as PDF',
  odt: 'OpenDocument text — save it as .docx or PDF',
  rtf: 'RTF — save it as .docx or PDF',
  zip: 'ZIP archive — upload the documents inside one by one',
};

export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot < 0 ? '' : filename.slice(dot + 1).toLowerCase();
}

export type Detection = { format: DocumentFormat } | { format: undefined; reason: string };

export function detectFormat(bytes: Uint8Array, hint: { filename: string; mimeType?: string }): Detection {
  const ext = extensionOf(hint.filename);
  const mime = hint.mimeType?.split(';', 1)[0]?.trim().toLowerCase();
  // %PDF- — readers accept it anywhere in the first KiB (some generators put a BOM or junk before it).
  if (/%PDF-\d\.\d/.test(latin1(bytes.subarray(0, Math.min(bytes.length, 1024))))) return { format: 'pdf' };
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    // A ZIP container: Office Open XML names its main part in the first entries.
    const head = latin1(bytes.subarray(0, Math.min(bytes.length, 64 * 1024)));
    if (head.includes('word/')) return { format: 'docx' };
    if (head.includes('xl/')) return { format: 'xlsx' };
    const byName = BY_EXTENSION[ext] ?? (mime ? BY_MIME[mime] : undefined);
    if (byName === 'docx' || byName === 'xlsx') return { format: byName };
  }
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) {
    return { format: undefined, reason: `${KNOWN_UNSUPPORTED[ext] ?? 'an old Office (OLE2) file'} is not supported` };
  }
  const format = BY_EXTENSION[ext] ?? (mime ? BY_MIME[mime] : undefined);
  if (format) return { format };
  if (KNOWN_UNSUPPORTED[ext]) return { format: undefined, reason: `${KNOWN_UNSUPPORTED[ext]} is not supported` };
  // No extension and no usable MIME type: HTML and text are recognised by content.
  if (!ext && looksLikeText(bytes)) {
    const head = latin1(bytes.subarray(0, 1024)).trimStart().toLowerCase();
    return { format: head.startsWith('<!doctype html') || head.startsWith('<html') ? 'html' : 'text' };
  }
  const what = ext ? `".${ext}" files` : mime ? `"${mime}"` : 'this file (no extension, unknown content)';
  return { format: undefined, reason: `${what} cannot be read` };
}

function startsWith(bytes: Uint8Array, sig: number[]): boolean {
  return bytes.length >= sig.length && sig.every((b, i) => bytes[i] === b);
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** No NUL bytes and few control characters in the first 4 KiB. */
function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 4096);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return false;
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  return control <= n / 100;
}
