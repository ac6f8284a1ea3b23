/**
 * Apache Tika adapter: one `PUT /rmeta/html` per document gives Tika's metadata (detected type,
 * title, the container's parse exception) and its XHTML, which keeps headings (DOCX, HTML) and
 * marks PDF pages as `<div class="page">`. Tika reads more formats than the built-in extractors
 * (e.g. .doc, .pptx, .odt, .rtf, e-mail); the size limit is the same.
 *
 * Errors: network failure, timeout or 502/503/504 → `unavailable` (retryable); 422 or a recorded
 * EncryptedDocumentException → `encrypted`; other 422/500 or container exceptions → `corrupt`;
 * 415 → `unsupported_type`; 413 → `too_large`.
 */
import { httpProbe } from '../../ops/dependency.js';
import { assertNotEmpty, checkSize, formatBytes } from './builtin.js';
import { htmlToText } from './html.js';
import { markdownHeadings } from './text.js';
import {
  DEFAULT_MAX_BYTES,
  ExtractionError,
  type ExtractedDocument,
  type ExtractHint,
  type ExtractorOptions,
  type TextExtractor,
} from './types.js';

const DEFAULT_TIMEOUT_MS = 60_000;

type TikaMetadata = Record<string, string | string[] | undefined>;

export function tikaExtractor(url: string, options: ExtractorOptions = {}): TextExtractor {
  const base = url.replace(/\/+$/, '');
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    name: 'extractor',
    adapter: 'tika',
    target: base,
    note: `Apache Tika (PUT /rmeta/html): every format Tika reads; up to ${formatBytes(maxBytes)}, ${timeoutMs / 1000} s per document`,
    check: (t) => httpProbe(`${base}/version`, t),
    extract: (bytes, hint) => extractWithTika(base, bytes, hint, { maxBytes, timeoutMs }),
  };
}

export async function extractWithTika(
  base: string,
  bytes: Uint8Array,
  hint: ExtractHint,
  limits: { maxBytes: number; timeoutMs: number },
): Promise<ExtractedDocument> {
  checkSize(bytes, hint, limits.maxBytes);
  let res: Response;
  try {
    res = await fetch(`${base}/rmeta/html`, {
      method: 'PUT',
      // a view over a plain ArrayBuffer (never shared memory): what fetch's BodyInit expects under the DOM typings too
      body: bytes as Uint8Array<ArrayBuffer>,
      headers: {
        accept: 'application/json',
        'content-type': hint.mimeType ?? 'application/octet-stream',
        // The plain `filename` for servers that do not read RFC 5987's `filename*` (Tika uses it to detect the type).
        'content-disposition': `attachment; filename="${hint.filename.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(hint.filename)}`,
      },
      signal: AbortSignal.timeout(limits.timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const reason = e.name === 'TimeoutError' ? `no answer within ${limits.timeoutMs / 1000} s` : (e.cause?.code ?? e.message);
    throw new ExtractionError('unavailable', `Apache Tika at ${base} cannot be reached (${reason}); try again later`, { cause: err });
  }
  const body = await res.text().catch(() => '');
  if (!res.ok) throw statusError(res.status, body, hint.filename, base);
  let list: TikaMetadata[];
  try {
    list = JSON.parse(body) as TikaMetadata[];
  } catch (err) {
    throw new ExtractionError(
      'unavailable',
      `Apache Tika at ${base} answered with something that is not JSON; is TIKA_URL a Tika server?`,
      {
        cause: err,
      },
    );
  }
  const meta = list[0] ?? {};
  const exception = first(meta['X-TIKA:EXCEPTION:container_exception']);
  if (exception) {
    if (/EncryptedDocumentException/.test(exception)) throw encrypted(hint.filename);
    throw new ExtractionError('corrupt', `${hint.filename} cannot be read (Tika: ${firstLine(exception)}); it may be truncated or damaged`);
  }
  const mimeType = (first(meta['Content-Type']) ?? 'application/octet-stream').split(';', 1)[0]!.trim();
  const content = first(meta['X-TIKA:content']) ?? '';
  if (mimeType === 'application/octet-stream' && content.replace(/<[^>]*>/g, '').trim() === '') {
    throw new ExtractionError('unsupported_type', `${hint.filename}: Tika does not recognise this file type`);
  }
  // PDF and plain text keep their line breaks inside Tika's paragraphs (lines there are the
  // PDF's lines or the file's own); Markdown is text to Tika, so its headings are recovered here.
  const plain = mimeType === 'application/pdf' || (/^text\//.test(mimeType) && !/html|xml/.test(mimeType));
  const html = htmlToText(content, { splitPages: true, keepLineBreaks: plain });
  const markdown = mimeType === 'text/markdown' || /\.(md|markdown)$/i.test(hint.filename);
  const pages = html.pages.map((text, i) => ({
    page: html.paged ? i + 1 : undefined,
    text: markdown ? markdownHeadings(text) : text,
  }));
  const heading = markdown ? /^#{1,6}[ \t]+(.+?)[ \t#]*$/m.exec(pages[0]?.text ?? '')?.[1] : undefined;
  const title = first(meta['dc:title'])?.trim() || html.title || heading;
  const doc: ExtractedDocument = { mimeType: markdown ? 'text/markdown' : mimeType, ...(title ? { title } : {}), pages };
  return assertNotEmpty(doc, hint.filename, mimeType);
}

function statusError(status: number, body: string, filename: string, base: string): ExtractionError {
  const detail = firstLine(body) || `HTTP ${status}`;
  if (status === 422 && /Encrypted/i.test(body)) return encrypted(filename);
  if (status === 422 || status === 500) {
    return new ExtractionError('corrupt', `${filename} cannot be read (Tika: ${detail}); it may be truncated or damaged`);
  }
  if (status === 415) return new ExtractionError('unsupported_type', `${filename}: Tika has no parser for this file type`);
  if (status === 413) return new ExtractionError('too_large', `${filename} is larger than Apache Tika accepts`);
  if (status === 502 || status === 503 || status === 504 || status === 429) {
    return new ExtractionError('unavailable', `Apache Tika at ${base} is busy or down (HTTP ${status}); try again later`);
  }
  return new ExtractionError('unavailable', `Apache Tika at ${base} answered HTTP ${status} (${detail}); check TIKA_URL`, {
    retryable: false,
  });
}

function encrypted(filename: string): ExtractionError {
  return new ExtractionError('encrypted', `${filename} is password-protected; remove the password and upload it again`);
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function firstLine(s: string): string {
  return (s.split('\n', 1)[0] ?? '').trim().slice(0, 300);
}
