/**
 * Text extraction for document ingest: built-in extractors (pure, in-process) or Apache Tika
 * when configured. `createTextExtractor(config.extractor)` is the one entry point.
 */
import type { Config } from '../../config/index.js';
import { builtinExtractor } from './builtin.js';
import { tikaExtractor } from './tika.js';
import type { ExtractorOptions, TextExtractor } from './types.js';

export {
  DEFAULT_MAX_BYTES,
  ExtractionError,
  type ExtractedDocument,
  type ExtractedPage,
  type ExtractHint,
  type ExtractionErrorCode,
  type ExtractorOptions,
  type TextExtractor,
} from './types.js';
export { builtinExtractor } from './builtin.js';
export { tikaExtractor } from './tika.js';
export { ACCEPTED_TYPES } from './detect.js';

/** Built-in or Apache Tika, as configured (LUNA_EXTRACTOR / TIKA_URL). */
export function createTextExtractor(config: Config['extractor'], options: ExtractorOptions = {}): TextExtractor {
  return config.adapter === 'tika' ? tikaExtractor(config.url, options) : builtinExtractor(options);
}
