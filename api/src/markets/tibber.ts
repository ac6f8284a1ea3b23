/**
 * Tibber GraphQL `priceInfo` (`viewer.home(s).currentSubscription.priceInfo`): `current`,
 * `today[]`, `tomorrow[]` with `startsAt` (ISO with offset), `total` and optionally `energy`,
 * `tax`, `currency`, `level`.
 *
 * These are CONSUMER prices per kWh: `total` = energy + tax (incl. grid fees, levies, VAT as
 * Tibber reports them). So `total` is returned as `totalEurPerKWh`, never as a wholesale curve;
 * only `energy` (when the query asked for it) becomes an EUR/MWh `PriceCurve`.
 */
import { MarketParseError } from './errors.js';
import { HOUR_MS, requireIsoInstantMs, type PriceCurve, type Rate } from './timeaxis.js';

export type TibberLevel = 'VERY_CHEAP' | 'CHEAP' | 'NORMAL' | 'EXPENSIVE' | 'VERY_EXPENSIVE';

export interface TibberPrices {
  /** End-customer price incl. taxes and fees, EUR per kWh. */
  totalEurPerKWh: Rate[];
  /** The energy (spot + supplier margin) part as EUR/MWh; null when the payload has no `energy` field. */
  energyEurPerMWh: PriceCurve | null;
  /** The tax/fee part, EUR per kWh; null when the payload has no `tax` field. */
  taxEurPerKWh: Rate[] | null;
  /** Tibber's own classification per interval. */
  levels: { startMs: number; level: string }[];
  /** `true` when every entry carried `currency`; otherwise EUR was assumed (the field was not queried). */
  currencyFromPayload: boolean;
  resolutionMs: number;
}

export interface TibberOptions {
  /** Bidding zone for the energy curve (Tibber does not say). Default `DE-LU`. */
  zone?: string;
}

interface Entry {
  index: string;
  startMs: number;
  total: number;
  energy?: number;
  tax?: number;
  currency?: string;
  level?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function findPriceInfo(doc: unknown): Record<string, unknown> {
  if (!isRecord(doc)) throw new MarketParseError('tibber', 'expected a JSON object');
  if (Array.isArray(doc.today) || Array.isArray(doc.tomorrow)) return doc;
  const viewer = isRecord(doc.data) && isRecord(doc.data.viewer) ? doc.data.viewer : undefined;
  const home =
    viewer === undefined
      ? undefined
      : isRecord(viewer.home)
        ? viewer.home
        : Array.isArray(viewer.homes)
          ? (viewer.homes[0] as unknown)
          : undefined;
  const sub = isRecord(home) && isRecord(home.currentSubscription) ? home.currentSubscription : undefined;
  if (sub === undefined || !isRecord(sub.priceInfo))
    throw new MarketParseError('tibber', 'no data.viewer.home.currentSubscription.priceInfo');
  return sub.priceInfo;
}

function optionalNumber(e: Record<string, unknown>, field: string, index: string): number | undefined {
  const v = e[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new MarketParseError('tibber', `${index}.${field} is not a number: ${JSON.stringify(v)}`);
  return v;
}

/** Parse the whole GraphQL response (text or value) or just the `priceInfo` object. */
export function parseTibberPriceInfo(input: string | unknown, opts: TibberOptions = {}): TibberPrices {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      throw new MarketParseError('tibber', `not JSON: ${(e as Error).message}`);
    }
  }
  const priceInfo = findPriceInfo(doc);
  const entries: Entry[] = [];
  for (const day of ['today', 'tomorrow'] as const) {
    const list = priceInfo[day];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new MarketParseError('tibber', `priceInfo.${day} is not an array`);
    list.forEach((e: unknown, i: number) => {
      const index = `${day}[${i}]`;
      if (!isRecord(e)) throw new MarketParseError('tibber', `${index} is not an object`);
      if (typeof e.startsAt !== 'string') throw new MarketParseError('tibber', `${index}.startsAt is missing`);
      const total = optionalNumber(e, 'total', index);
      if (total === undefined) throw new MarketParseError('tibber', `${index}.total is missing`);
      const entry: Entry = { index, startMs: requireIsoInstantMs(e.startsAt, 'tibber'), total };
      const energy = optionalNumber(e, 'energy', index);
      const tax = optionalNumber(e, 'tax', index);
      if (energy !== undefined) entry.energy = energy;
      if (tax !== undefined) entry.tax = tax;
      if (typeof e.currency === 'string') entry.currency = e.currency;
      if (typeof e.level === 'string') entry.level = e.level;
      entries.push(entry);
    });
  }
  entries.sort((a, b) => a.startMs - b.startMs);
  for (const e of entries) {
    if (e.currency !== undefined && e.currency !== 'EUR')
      throw new MarketParseError('tibber', `${e.index}.currency ${e.currency} is not supported (EUR only)`);
  }
  // Step = smallest distance between starts (hourly, or quarter-hourly with resolution QUARTER_HOURLY).
  let resolutionMs = Infinity;
  for (let i = 1; i < entries.length; i++) {
    const d = entries[i]!.startMs - entries[i - 1]!.startMs;
    if (d === 0) throw new MarketParseError('tibber', `${entries[i]!.index} repeats the start of ${entries[i - 1]!.index}`);
    resolutionMs = Math.min(resolutionMs, d);
  }
  if (!Number.isFinite(resolutionMs)) resolutionMs = HOUR_MS;
  const axis = (value: (e: Entry) => number): Rate[] =>
    entries.map((e) => ({ startMs: e.startMs, endMs: e.startMs + resolutionMs, value: value(e) }));

  const hasEnergy = entries.length > 0 && entries.every((e) => e.energy !== undefined);
  const hasTax = entries.length > 0 && entries.every((e) => e.tax !== undefined);
  return {
    totalEurPerKWh: axis((e) => e.total),
    energyEurPerMWh: hasEnergy
      ? {
          zone: opts.zone ?? 'DE-LU',
          currency: 'EUR',
          unit: 'EUR/MWh',
          resolutionMs,
          rates: axis((e) => Math.round(e.energy! * 1000 * 1e6) / 1e6),
          source: 'tibber:energy',
        }
      : null,
    taxEurPerKWh: hasTax ? axis((e) => e.tax!) : null,
    levels: entries.filter((e) => e.level !== undefined).map((e) => ({ startMs: e.startMs, level: e.level! })),
    currencyFromPayload: entries.length > 0 && entries.every((e) => e.currency !== undefined),
    resolutionMs,
  };
}
