/**
 * The text extractor's public types: what every extractor (built-in or Apache Tika) returns and
 * the one error type it throws. Headings are kept as Markdown `#` lines in the text where the
 * format has headings; pages are numbered where the format has pages (PDF), otherwise one page
 * with `page: undefined`.
 */
import type { Dependency } from '../../ops/dependency.js';

export interface ExtractedPage {
  /** 1-based page number where the format has pages (PDF); undefined otherwise. */
  page: number | undefined;
  /** Plain text with headings as Markdown `#` lines. */
  text: string;
}

export interface ExtractedDocument {
  /** The type the document was read as (detected, not just the hint). */
  mimeType: string;
  /** Title from the document's metadata or its first heading, when there is one. */
  title?: string;
  pages: ExtractedPage[];
}

export interface ExtractHint {
  filename: string;
  mimeType?: string;
}

export interface TextExtractor extends Dependency {
  extract(bytes: Uint8Array, hint: ExtractHint): Promise<ExtractedDocument>;
}

export type ExtractionErrorCode = 'unsupported_type' | 'corrupt' | 'encrypted' | 'too_large' | 'empty' | 'unavailable';

/** A document that could not be read. `retryable` says whether trying again later can help (Tika down). */
export class ExtractionError extends Error {
  readonly code: ExtractionErrorCode;
  readonly retryable: boolean;

  constructor(code: ExtractionErrorCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExtractionError';
    this.code = code;
    this.retryable = options.retryable ?? code === 'unavailable';
  }
}

export interface ExtractorOptions {
  /** Largest document accepted, in bytes (default 50 MiB). */
  maxBytes?: number;
  /** Built-in DOCX/XLSX: largest total unpacked size of the ZIP's entries (default 256 MiB). */
  maxUnpackedBytes?: number;
  /** Tika only: how long one request may take (default 60 s). */
  timeoutMs?: number;
}

export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;
export const DEFAULT_MAX_UNPACKED_BYTES = 256 * 1024 * 1024;
