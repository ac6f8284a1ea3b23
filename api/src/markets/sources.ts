/**
 * Price sources (adapters): where day-ahead prices come from, behind one small interface. Each
 * `fetch(fromMs, toMs)` asks for a UTC window and answers with the rates it got, or `no-data`
 * when the market has not published them yet (tomorrow's auction results arrive in the early
 * afternoon). Transport errors throw `SourceError` (retryable or not); malformed answers throw
 * `MarketParseError` (never retryable).
 */
import { parseAwattar } from './awattar.js';
import { parseEntsoeA44, mergeEntsoeSeries } from './entsoe.js';
import { getWithRetry, SourceError, type RetryOptions } from './http.js';
import { parsePriceCsv } from './csv.js';
import { demoPriceOffsetMs } from './replay.js';
import type { Rate } from './timeaxis.js';

export type PriceFetch =
  { kind: 'prices'; rates: Rate[]; resolutionMs: number; publishedAtMs?: number } | { kind: 'no-data'; reason: string };

export interface PriceSource {
  /** `entsoe`, `awattar`, `csv`, `demo-replay`. */
  readonly name: string;
  /** Bidding zone, e.g. `DE-LU`. */
  readonly zone: string;
  fetch(fromMs: number, toMs: number, nowMs: number): Promise<PriceFetch>;
}

/** Bidding zone → EIC code for the ENTSO-E query (a raw EIC code is passed through). */
export const ZONE_TO_EIC: Readonly<Record<string, string>> = {
  'DE-LU': '10Y1001A1001A82H',
  AT: '10YAT-APG------L',
  CH: '10YCH-SWISSGRIDZ',
  NL: '10YNL----------L',
  BE: '10YBE----------2',
  FR: '10YFR-RTE------C',
  PL: '10YPL-AREA-----S',
  'DK-1': '10YDK-1--------W',
  'DK-2': '10YDK-2--------M',
};

export function eicOf(zone: string): string {
  const eic = ZONE_TO_EIC[zone] ?? (/^10Y[0-9A-Z-]{13}$/.test(zone) ? zone : undefined);
  if (eic === undefined)
    throw new RangeError(`price area "${zone}" is unknown; use one of ${Object.keys(ZONE_TO_EIC).join(', ')} or a 16-character EIC code`);
  return eic;
}

/** `yyyyMMddHHmm` in UTC, as ENTSO-E's periodStart/periodEnd want it. */
export function entsoePeriod(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace(/[-T:]/g, '');
}

export interface EntsoeSourceOptions extends RetryOptions {
  securityToken: string;
  zone: string;
  /** Default `https://web-api.tp.entsoe.eu/api`. */
  baseUrl?: string;
}

/**
 * ENTSO-E Transparency Platform, document A44 (day-ahead prices, 12.1.D). The security token goes
 * in the `securityToken` query parameter. "No matching data" is an Acknowledgement_MarketDocument
 * with reason 999 — sent with HTTP 200 or 400 depending on the API version — and is `no-data`;
 * 401 means the token was refused (not retried).
 */
export function entsoeSource(o: EntsoeSourceOptions): PriceSource {
  const eic = eicOf(o.zone);
  const base = o.baseUrl ?? 'https://web-api.tp.entsoe.eu/api';
  return {
    name: 'entsoe',
    zone: o.zone,
    async fetch(fromMs, toMs) {
      const u = new URL(base);
      u.searchParams.set('securityToken', o.securityToken);
      u.searchParams.set('documentType', 'A44');
      u.searchParams.set('in_Domain', eic);
      u.searchParams.set('out_Domain', eic);
      u.searchParams.set('periodStart', entsoePeriod(fromMs));
      u.searchParams.set('periodEnd', entsoePeriod(toMs));
      const res = await getWithRetry('entsoe', u.toString(), {
        ...o,
        accept: (s) => s === 200 || s === 400,
        headers: { accept: 'application/xml' },
      });
      if (res.status === 400 && !res.text.includes('Acknowledgement_MarketDocument'))
        throw new SourceError('entsoe', `HTTP 400: ${res.text.slice(0, 200)}`, false, 400);
      const doc = parseEntsoeA44(res.text); // a rejected query (ack with another reason) throws here
      if (doc.kind === 'no-data') return { kind: 'no-data', reason: doc.reasonText || 'no matching data (reason 999)' };
      const curves = mergeEntsoeSeries(doc.series, doc.createdAtMs);
      // one zone was asked for; with several resolutions (should not happen) prefer the finest
      const curve = [...curves].sort((a, b) => a.resolutionMs - b.resolutionMs)[0];
      if (curve === undefined) return { kind: 'no-data', reason: 'document without TimeSeries' };
      const rates = curve.rates.filter((r) => r.endMs > fromMs && r.startMs < toMs);
      return { kind: 'prices', rates, resolutionMs: curve.resolutionMs, publishedAtMs: doc.createdAtMs };
    },
  };
}

export interface AwattarSourceOptions extends RetryOptions {
  /** Default `https://api.awattar.de` (DE-LU); `https://api.awattar.at` for AT. */
  baseUrl?: string;
  zone?: string;
}

/** aWATTar `/v1/marketdata?start=&end=` (Unix ms). Not yet published hours are simply absent. */
export function awattarSource(o: AwattarSourceOptions = {}): PriceSource {
  const base = (o.baseUrl ?? 'https://api.awattar.de').replace(/\/+$/, '');
  const zone = o.zone ?? (base.endsWith('.at') ? 'AT' : 'DE-LU');
  return {
    name: 'awattar',
    zone,
    async fetch(fromMs, toMs) {
      const res = await getWithRetry('awattar', `${base}/v1/marketdata?start=${fromMs}&end=${toMs}`, {
        ...o,
        headers: { accept: 'application/json' },
      });
      const curve = parseAwattar(res.text, { zone });
      const rates = curve.rates.filter((r) => r.endMs > fromMs && r.startMs < toMs);
      if (rates.length === 0) return { kind: 'no-data', reason: 'aWATTar returned no prices for this window (not published yet)' };
      return { kind: 'prices', rates, resolutionMs: curve.resolutionMs };
    },
  };
}

/** A fixed price file (Luna's `timestamp_utc,timestamp_local,price_eur_mwh` or `timestamp;price`). */
export function csvSource(text: string, zone: string): PriceSource & { errors: ReturnType<typeof parsePriceCsv>['errors'] } {
  const parsed = parsePriceCsv(text);
  return {
    name: 'csv',
    zone,
    errors: parsed.errors,
    async fetch(fromMs, toMs) {
      const rates = parsed.rates.filter((r) => r.endMs > fromMs && r.startMs < toMs);
      return rates.length === 0
        ? { kind: 'no-data', reason: 'the price file has no prices for this window' }
        : { kind: 'prices', rates, resolutionMs: parsed.resolutionMs };
    },
  };
}

/**
 * The demo site's prices: a real year of hourly DE-LU day-ahead prices replayed onto today (same
 * month/day moved to the same weekday, see `demoPriceOffsetMs`). Like the real auction, a local
 * day after today is "published" only from `publishHourLocal` (13:00 Europe/Berlin) the day before.
 */
export function demoReplaySource(text: string, opts: { publishHourLocal?: number; timeZone?: string } = {}): PriceSource {
  const parsed = parsePriceCsv(text);
  const byStart = new Map(parsed.rates.map((r) => [r.startMs, r.value]));
  const year = new Date(parsed.rates[Math.floor(parsed.rates.length / 2)]?.startMs ?? Date.UTC(2023, 6, 1)).getUTCFullYear();
  const tz = opts.timeZone ?? 'Europe/Berlin';
  const hourFmt = new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    hour: '2-digit',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const local = (ms: number) => {
    const p = Object.fromEntries(hourFmt.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    return { day: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour) };
  };
  return {
    name: 'demo-replay',
    zone: 'DE-LU',
    async fetch(fromMs, toMs, nowMs) {
      const now = local(nowMs);
      const published = (ms: number) => {
        const d = local(ms).day;
        if (d <= now.day) return true;
        const tomorrow = local(nowMs + 86_400_000).day;
        return d === tomorrow && now.hour >= (opts.publishHourLocal ?? 13);
      };
      const rates: Rate[] = [];
      for (let t = Math.floor(fromMs / 3_600_000) * 3_600_000; t < toMs; t += 3_600_000) {
        if (!published(t)) continue;
        const v = byStart.get(Date.UTC(year, 0, 1) + demoPriceOffsetMs(year, t, (y, ms) => byStart.has(Date.UTC(y, 0, 1) + ms)));
        if (v !== undefined) rates.push({ startMs: t, endMs: t + 3_600_000, value: v });
      }
      return rates.length === 0
        ? { kind: 'no-data', reason: 'not published yet (the replay publishes tomorrow at 13:00 local time, like the auction)' }
        : { kind: 'prices', rates, resolutionMs: 3_600_000 };
    },
  };
}
