/**
 * One error type for every price parser. A parse error is never helped by a retry: the same bytes
 * give the same error. (A "no data yet" answer from ENTSO-E is not an error, see `entsoe.ts`.)
 */
export type MarketFormat = 'entsoe' | 'awattar' | 'tibber' | 'csv' | 'time';

export class MarketParseError extends Error {
  readonly retryable = false;
  constructor(
    readonly format: MarketFormat,
    message: string,
    readonly where: { line?: number; element?: string; position?: number; index?: number } = {},
  ) {
    const at = [
      where.element !== undefined ? `<${where.element}>` : undefined,
      where.position !== undefined ? `position ${where.position}` : undefined,
      where.index !== undefined ? `item ${where.index}` : undefined,
      where.line !== undefined ? `line ${where.line}` : undefined,
    ].filter((s) => s !== undefined);
    super(`${format}: ${message}${at.length > 0 ? ` (${at.join(', ')})` : ''}`);
    this.name = 'MarketParseError';
  }
}
