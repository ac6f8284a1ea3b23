/**
 * aWATTar market data (`GET https://api.awattar.de/v1/marketdata`, `.at` for Austria):
 * `{"object":"list","data":[{"start_timestamp","end_timestamp","marketprice","unit":"Eur/MWh"}]}`
 * with Unix ms (UTC) timestamps. These are EPEX day-ahead prices, wholesale, EUR/MWh.
 */
import { MarketParseError } from './errors.js';
import { findGaps, type Gap, type PriceCurve, type Rate } from './timeaxis.js';

export interface AwattarOptions {
  /** Bidding zone the endpoint serves: `DE-LU` for api.awattar.de (default), `AT` for api.awattar.at. */
  zone?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse the JSON text or the already-parsed value. Rates come back sorted; `gaps` lists holes. */
export function parseAwattar(input: string | unknown, opts: AwattarOptions = {}): PriceCurve & { gaps: Gap[] } {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      throw new MarketParseError('awattar', `not JSON: ${(e as Error).message}`);
    }
  }
  if (!isRecord(doc) || !Array.isArray(doc.data)) throw new MarketParseError('awattar', 'expected an object with a "data" array');
  if (doc.object !== undefined && doc.object !== 'list')
    throw new MarketParseError('awattar', `"object" is "${String(doc.object)}", expected "list"`);
  const rates: Rate[] = doc.data.map((item: unknown, index: number): Rate => {
    if (!isRecord(item)) throw new MarketParseError('awattar', 'entry is not an object', { index });
    const { start_timestamp: startMs, end_timestamp: endMs, marketprice, unit } = item;
    for (const [field, v] of [
      ['start_timestamp', startMs],
      ['end_timestamp', endMs],
      ['marketprice', marketprice],
    ] as const) {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new MarketParseError('awattar', `${field} is not a number: ${JSON.stringify(v)}`, { index });
    }
    if (typeof unit !== 'string' || unit.toLowerCase() !== 'eur/mwh')
      throw new MarketParseError('awattar', `unit ${JSON.stringify(unit)} is not Eur/MWh`, { index });
    if ((endMs as number) <= (startMs as number))
      throw new MarketParseError('awattar', 'end_timestamp is not after start_timestamp', { index });
    return { startMs: startMs as number, endMs: endMs as number, value: marketprice as number };
  });
  rates.sort((a, b) => a.startMs - b.startMs);
  for (let i = 1; i < rates.length; i++) {
    if (rates[i]!.startMs < rates[i - 1]!.endMs) throw new MarketParseError('awattar', 'entries overlap', { index: i });
  }
  const durations = rates.map((r) => r.endMs - r.startMs);
  return {
    zone: opts.zone ?? 'DE-LU',
    currency: 'EUR',
    unit: 'EUR/MWh',
    resolutionMs: durations.length === 0 ? 3_600_000 : Math.min(...durations),
    rates,
    source: 'awattar',
    gaps: findGaps(rates),
  };
}
