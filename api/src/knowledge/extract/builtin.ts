/**
 * The built-in extractor: all formats read in this process, no server. Detects the format,
 * enforces the size limit, dispatches, and turns "no text at all" into a clear `empty` error.
 */
import { ACCEPTED_TYPES, detectFormat, FORMAT_MIME, type DocumentFormat } from './detect.js';
import { htmlToText } from './html.js';
import { extractDocx, extractXlsx } from './office.js';
import { extractPdf } from './pdf.js';
import { decodeText, extractCsv, extractMarkdown, extractPlainText } from './text.js';
import { zipUncompressedBytes } from './zip.js';
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_UNPACKED_BYTES,
  ExtractionError,
  type ExtractedDocument,
  type ExtractHint,
  type ExtractorOptions,
  type TextExtractor,
} from './types.js';

export function builtinExtractor(options: ExtractorOptions = {}): TextExtractor {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return {
    name: 'extractor',
    adapter: 'builtin',
    target: 'this process',
    note: `PDF (pdf.js), DOCX (mammoth), XLSX (exceljs), HTML, Markdown, text, CSV; up to ${formatBytes(maxBytes)}; no OCR`,
    async check() {
      return { state: 'up', detail: 'built-in' };
    },
    extract: (bytes, hint) => extractBuiltin(bytes, hint, maxBytes, options.maxUnpackedBytes ?? DEFAULT_MAX_UNPACKED_BYTES),
  };
}

export async function extractBuiltin(
  bytes: Uint8Array,
  hint: ExtractHint,
  maxBytes = DEFAULT_MAX_BYTES,
  maxUnpackedBytes = DEFAULT_MAX_UNPACKED_BYTES,
): Promise<ExtractedDocument> {
  checkSize(bytes, hint, maxBytes);
  const detected = detectFormat(bytes, hint);
  if (detected.format === undefined) {
    const encrypted = isEncryptedOffice(bytes, hint.filename);
    if (encrypted) {
      throw new ExtractionError('encrypted', `${hint.filename} is password-protected; remove the password in Office and upload it again`);
    }
    throw new ExtractionError('unsupported_type', `${hint.filename}: ${detected.reason}; accepted types are ${ACCEPTED_TYPES}`);
  }
  if (detected.format === 'docx' || detected.format === 'xlsx') checkUnpackedSize(bytes, hint.filename, maxUnpackedBytes);
  const doc = await extractFormat(detected.format, bytes);
  return assertNotEmpty(doc, hint.filename, detected.format);
}

export function checkSize(bytes: Uint8Array, hint: ExtractHint, maxBytes: number): void {
  if (bytes.byteLength > maxBytes) {
    throw new ExtractionError(
      'too_large',
      `${hint.filename} is ${formatBytes(bytes.byteLength)}; the limit is ${formatBytes(maxBytes)} — split the document and upload the parts`,
    );
  }
  if (bytes.byteLength === 0) throw new ExtractionError('empty', `${hint.filename} is an empty file (0 bytes)`);
}

/** DOCX and XLSX are ZIP files: their unpacked size is read from the directory before anything is inflated. */
function checkUnpackedSize(bytes: Uint8Array, filename: string, maxUnpackedBytes: number): void {
  const unpacked = zipUncompressedBytes(bytes);
  if (unpacked !== undefined && unpacked > maxUnpackedBytes) {
    const size = Number.isFinite(unpacked) ? formatBytes(unpacked) : 'more than 4 GiB';
    throw new ExtractionError('too_large', `${filename} unpacks to ${size}; the limit is ${formatBytes(maxUnpackedBytes)}`);
  }
}

async function extractFormat(format: DocumentFormat, bytes: Uint8Array): Promise<ExtractedDocument> {
  switch (format) {
    case 'pdf':
      return extractPdf(bytes);
    case 'docx':
      return extractDocx(bytes);
    case 'xlsx':
      return extractXlsx(bytes);
    case 'html': {
      const { title, pages } = htmlToText(decodeText(bytes).text);
      return { mimeType: FORMAT_MIME.html, ...(title ? { title } : {}), pages: [{ page: undefined, text: pages[0] ?? '' }] };
    }
    case 'markdown':
      return extractMarkdown(bytes);
    case 'csv':
      return extractCsv(bytes);
    case 'text':
      return extractPlainText(bytes);
  }
}

export function assertNotEmpty(doc: ExtractedDocument, filename: string, format: string): ExtractedDocument {
  if (doc.pages.every((p) => p.text.replace(/^#+ .*$/gm, '').trim() === '')) {
    const hint = format === 'pdf' || format === 'application/pdf' ? ' (a scanned PDF holds only images: OCR is not built in)' : '';
    throw new ExtractionError('empty', `No text found in ${filename}${hint}`);
  }
  return doc;
}

/** An encrypted DOCX/XLSX is an OLE2 compound file with an "EncryptedPackage" stream. */
function isEncryptedOffice(bytes: Uint8Array, filename: string): boolean {
  const ole = bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0;
  if (!ole) return false;
  const utf16Name = Buffer.from('EncryptedPackage', 'utf16le');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(utf16Name) || /\.(docx|xlsx)$/i.test(filename);
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${n} bytes`;
}
