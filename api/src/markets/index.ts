/**
 * Market layer, public face: pure parsers that turn vendor price formats into the one time-axis
 * type (`Rate`, `PriceCurve`), and at the edges the price sources (ENTSO-E, aWATTar, CSV, demo
 * replay), their storage and the fetch scheduler. See README.md.
 */
export { MarketParseError, type MarketFormat } from './errors.js';
export {
  type Rate,
  type PriceCurve,
  type Gap,
  MINUTE_MS,
  HOUR_MS,
  rateAt,
  resample,
  findGaps,
  gapDurationMs,
  sortRates,
  parseIsoInstantMs,
} from './timeaxis.js';
export {
  parseEntsoeA44,
  mergeEntsoeSeries,
  entsoeDayAheadCurves,
  zoneFromEic,
  EIC_TO_ZONE,
  parseResolutionMs,
  type EntsoeSeries,
  type EntsoeResult,
} from './entsoe.js';
export { parseAwattar, type AwattarOptions } from './awattar.js';
export { parseTibberPriceInfo, type TibberPrices, type TibberOptions, type TibberLevel } from './tibber.js';
export { parsePriceCsv, type CsvPrices, type CsvLineError, type CsvOptions } from './csv.js';
export { SourceError, getWithRetry, redactQuery, type RetryOptions, type FetchLike } from './http.js';
export {
  entsoeSource,
  awattarSource,
  csvSource,
  demoReplaySource,
  eicOf,
  ZONE_TO_EIC,
  type PriceSource,
  type PriceFetch,
} from './sources.js';
export { upsertPrices, queryPrices, coveredMs, recordFetch, listFetches, siteScope, type StoredRate, type FetchAttempt } from './store.js';
export { startPriceService, daysWanted, localMidnightMs, localDayHour, type PriceFeed, type PriceService } from './service.js';
export { registerPriceRoutes } from './routes.js';
