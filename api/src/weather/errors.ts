/**
 * One error type for the weather parsers. A parse error is never helped by a retry: the same
 * bytes give the same error.
 */
export type WeatherFormat = 'openmeteo' | 'dwd-try' | 'csv';

export class WeatherParseError extends Error {
  readonly retryable = false;
  constructor(
    readonly format: WeatherFormat,
    message: string,
    readonly where: { line?: number; field?: string; index?: number } = {},
  ) {
    const at = [
      where.field !== undefined ? `field ${where.field}` : undefined,
      where.index !== undefined ? `item ${where.index}` : undefined,
      where.line !== undefined ? `line ${where.line}` : undefined,
    ].filter((s) => s !== undefined);
    super(`${format}: ${message}${at.length > 0 ? ` (${at.join(', ')})` : ''}`);
    this.name = 'WeatherParseError';
  }
}

/** A rejected line of a text file; the other lines are kept. */
export interface WeatherLineError {
  /** 1-based line number in the file. */
  line: number;
  reason: string;
  text: string;
}
