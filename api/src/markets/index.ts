/**
 * Market layer, public face: pure parsers that turn vendor price formats into the one time-axis
 * type (`Rate`, `PriceCurve`). No fetching, no scheduling, no storage here. See README.md.
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
