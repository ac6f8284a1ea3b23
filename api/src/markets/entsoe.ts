/**
 * ENTSO-E Transparency Platform, document type A44 (day-ahead prices).
 *
 * `Publication_MarketDocument` → `TimeSeries` (zone, currency, unit, curveType, optional
 * classificationSequence position) → `Period` (timeInterval start/end, resolution) → `Point`
 * (1-based position, price.amount). Curve type A01 = fixed blocks: a point covers only its own
 * position, a missing position is a gap. Curve type A03 = variable sized blocks: a missing
 * position means the previous price continues until the next present position (or the end of
 * the Period) — real responses leave repeated prices out this way.
 *
 * An `Acknowledgement_MarketDocument` with Reason code 999 is what the API answers when there is
 * no data (yet): tomorrow's auction is published in the early afternoon. That is returned as
 * `{ kind: 'no-data' }`, not thrown. Everything malformed throws a `MarketParseError`.
 */
import { MarketParseError } from './errors.js';
import { MINUTE_MS, HOUR_MS, findGaps, requireIsoInstantMs, type Gap, type PriceCurve, type Rate } from './timeaxis.js';
import { child, childrenNamed, parseXml, type XmlElement } from './xml.js';

/** EIC codes of bidding zones we name; unknown codes are kept as they are. */
export const EIC_TO_ZONE: Readonly<Record<string, string>> = {
  '10Y1001A1001A82H': 'DE-LU',
  '10YCH-SWISSGRIDZ': 'CH',
};

export function zoneFromEic(eic: string): string {
  return EIC_TO_ZONE[eic] ?? eic;
}

/** One ENTSO-E TimeSeries as a price curve, with what the wire format says about it. */
export interface EntsoeSeries extends PriceCurve {
  /** `TimeSeries/mRID` */
  seriesId: string;
  curveType: 'A01' | 'A03';
  /** The EIC code as sent (in_Domain.mRID). */
  eic: string;
  /**
   * `classificationSequence_AttributeInstanceComponent.position`, present on DE-LU since
   * 2025-10-01 (two sequences per day). Undefined when the series has none.
   */
  classificationPosition?: number;
}

export type EntsoeResult =
  | { kind: 'prices'; documentId: string; createdAtMs: number; series: EntsoeSeries[] }
  | { kind: 'no-data'; reasonCode: '999'; reasonText: string; createdAtMs?: number };

const RESOLUTION = /^PT(\d+)([MH])$/;

/** `PT15M` → 900 000; only minute/hour resolutions occur in A44. */
export function parseResolutionMs(text: string, line?: number): number {
  const m = RESOLUTION.exec(text.trim());
  const n = m === null ? NaN : Number(m[1]);
  if (m === null || !(n > 0)) {
    throw new MarketParseError('entsoe', `unsupported resolution "${text.trim()}" (expected e.g. PT15M, PT30M, PT60M)`, {
      element: 'resolution',
      ...(line === undefined ? {} : { line }),
    });
  }
  return n * (m[2] === 'H' ? HOUR_MS : MINUTE_MS);
}

function requireChild(el: XmlElement, name: string): XmlElement {
  const c = child(el, name);
  if (c === undefined) throw new MarketParseError('entsoe', `<${el.name}> has no <${name}>`, { element: el.name, line: el.line });
  return c;
}

function textOf(el: XmlElement, name: string): string {
  return requireChild(el, name).text.trim();
}

function instant(el: XmlElement, name: string): number {
  const c = requireChild(el, name);
  return requireIsoInstantMs(c.text, 'entsoe', { element: name, line: c.line });
}

/** Parse an A44 response (or the acknowledgement the API sends instead when it has no data). */
export function parseEntsoeA44(xml: string): EntsoeResult {
  const root = parseXml(xml, 'entsoe');
  if (root.name === 'Acknowledgement_MarketDocument') return parseAcknowledgement(root);
  if (root.name !== 'Publication_MarketDocument') {
    throw new MarketParseError('entsoe', `unexpected root <${root.name}>, expected <Publication_MarketDocument>`, {
      element: root.name,
      line: root.line,
    });
  }
  const type = child(root, 'type')?.text.trim();
  if (type !== undefined && type !== 'A44') {
    throw new MarketParseError('entsoe', `document type ${type} is not A44 (day-ahead prices)`, { element: 'type' });
  }
  const series = childrenNamed(root, 'TimeSeries').map(parseTimeSeries);
  return {
    kind: 'prices',
    documentId: textOf(root, 'mRID'),
    createdAtMs: instant(root, 'createdDateTime'),
    series,
  };
}

function parseAcknowledgement(root: XmlElement): EntsoeResult {
  const reasons = childrenNamed(root, 'Reason').map((r) => ({
    code: child(r, 'code')?.text.trim() ?? '',
    text: child(r, 'text')?.text.trim() ?? '',
  }));
  const created = child(root, 'createdDateTime');
  const noData = reasons.find((r) => r.code === '999');
  if (noData !== undefined) {
    return {
      kind: 'no-data',
      reasonCode: '999',
      reasonText: noData.text,
      ...(created === undefined
        ? {}
        : { createdAtMs: requireIsoInstantMs(created.text, 'entsoe', { element: 'createdDateTime', line: created.line }) }),
    };
  }
  const what = reasons.map((r) => `${r.code}: ${r.text}`).join('; ') || 'no Reason given';
  throw new MarketParseError('entsoe', `request rejected by ENTSO-E (${what})`, { element: root.name, line: root.line });
}

function parseTimeSeries(ts: XmlElement): EntsoeSeries {
  const eicEl = child(ts, 'in_Domain.mRID') ?? child(ts, 'out_Domain.mRID');
  if (eicEl === undefined)
    throw new MarketParseError('entsoe', '<TimeSeries> has neither in_Domain.mRID nor out_Domain.mRID', {
      element: 'TimeSeries',
      line: ts.line,
    });
  const eic = eicEl.text.trim();
  const currency = textOf(ts, 'currency_Unit.name');
  const measure = textOf(ts, 'price_Measure_Unit.name');
  if (currency !== 'EUR')
    throw new MarketParseError('entsoe', `currency ${currency} is not supported (EUR only)`, {
      element: 'currency_Unit.name',
      line: ts.line,
    });
  if (measure !== 'MWH')
    throw new MarketParseError('entsoe', `price unit ${measure} is not supported (MWH only)`, {
      element: 'price_Measure_Unit.name',
      line: ts.line,
    });
  const curveTypeText = child(ts, 'curveType')?.text.trim() ?? 'A01';
  if (curveTypeText !== 'A01' && curveTypeText !== 'A03') {
    throw new MarketParseError('entsoe', `curveType ${curveTypeText} is not supported (A01, A03)`, { element: 'curveType', line: ts.line });
  }
  const curveType: 'A01' | 'A03' = curveTypeText;
  const cls = child(ts, 'classificationSequence_AttributeInstanceComponent.position');

  const periods = childrenNamed(ts, 'Period');
  if (periods.length === 0) throw new MarketParseError('entsoe', '<TimeSeries> has no <Period>', { element: 'TimeSeries', line: ts.line });
  const rates: Rate[] = [];
  let resolutionMs: number | undefined;
  for (const period of periods) {
    const p = parsePeriod(period, curveType);
    if (resolutionMs !== undefined && p.resolutionMs !== resolutionMs) {
      throw new MarketParseError('entsoe', 'Periods of one TimeSeries have different resolutions', {
        element: 'resolution',
        line: period.line,
      });
    }
    resolutionMs = p.resolutionMs;
    rates.push(...p.rates);
  }
  rates.sort((a, b) => a.startMs - b.startMs);
  for (let i = 1; i < rates.length; i++) {
    if (rates[i]!.startMs < rates[i - 1]!.endMs)
      throw new MarketParseError('entsoe', 'Periods of one TimeSeries overlap', { element: 'Period', line: ts.line });
  }
  return {
    zone: zoneFromEic(eic),
    eic,
    currency: 'EUR',
    unit: 'EUR/MWh',
    resolutionMs: resolutionMs!,
    rates,
    source: 'entsoe:A44',
    seriesId: child(ts, 'mRID')?.text.trim() ?? '',
    curveType,
    ...(cls === undefined ? {} : { classificationPosition: Number(cls.text.trim()) }),
  };
}

function parsePeriod(period: XmlElement, curveType: 'A01' | 'A03'): { resolutionMs: number; rates: Rate[] } {
  const interval = child(period, 'timeInterval');
  if (interval === undefined)
    throw new MarketParseError('entsoe', '<Period> has no <timeInterval>', { element: 'Period', line: period.line });
  const startMs = instant(interval, 'start');
  const endMs = instant(interval, 'end');
  const resEl = requireChild(period, 'resolution');
  const resolutionMs = parseResolutionMs(resEl.text, resEl.line);
  if (endMs <= startMs || (endMs - startMs) % resolutionMs !== 0) {
    throw new MarketParseError(
      'entsoe',
      `timeInterval ${new Date(startMs).toISOString()}/${new Date(endMs).toISOString()} is not a whole number of ${resEl.text.trim()} steps`,
      {
        element: 'timeInterval',
        line: interval.line,
      },
    );
  }
  const slots = (endMs - startMs) / resolutionMs;
  const prices = new Map<number, number>();
  for (const point of childrenNamed(period, 'Point')) {
    const posEl = requireChild(point, 'position');
    const posText = posEl.text.trim();
    const position = /^\d+$/.test(posText) ? Number(posText) : NaN;
    if (!Number.isInteger(position) || position < 1 || position > slots) {
      throw new MarketParseError('entsoe', `position "${posText}" out of range 1..${slots}`, { element: 'position', line: posEl.line });
    }
    const priceEl = requireChild(point, 'price.amount');
    const priceText = priceEl.text.trim();
    const price = /^-?\d+(\.\d+)?$/.test(priceText) ? Number(priceText) : NaN;
    if (!Number.isFinite(price))
      throw new MarketParseError('entsoe', `price.amount "${priceText}" is not a number`, {
        element: 'price.amount',
        position,
        line: priceEl.line,
      });
    if (prices.has(position)) throw new MarketParseError('entsoe', 'duplicate Point', { element: 'position', position, line: posEl.line });
    prices.set(position, price);
  }
  if (prices.size === 0) throw new MarketParseError('entsoe', '<Period> has no <Point>', { element: 'Period', line: period.line });

  const rates: Rate[] = [];
  if (curveType === 'A01') {
    for (const [position, value] of [...prices].sort((a, b) => a[0] - b[0])) {
      const s = startMs + (position - 1) * resolutionMs;
      rates.push({ startMs: s, endMs: s + resolutionMs, value });
    }
  } else {
    if (!prices.has(1))
      throw new MarketParseError('entsoe', 'A03 Period does not start with position 1, so the first block has no price', {
        element: 'Period',
        line: period.line,
      });
    // A03: one rate per MTU; a missing position repeats the previous price.
    let value = prices.get(1)!;
    for (let position = 1; position <= slots; position++) {
      value = prices.get(position) ?? value;
      const s = startMs + (position - 1) * resolutionMs;
      rates.push({ startMs: s, endMs: s + resolutionMs, value });
    }
  }
  return { resolutionMs, rates };
}

/**
 * One curve per zone and resolution from several TimeSeries (several days, or the two
 * classification sequences DE-LU has sent since 2025-10-01). Where series overlap, the one with
 * the lowest classification position wins (what evcc does); series without a position count as 0.
 */
export function mergeEntsoeSeries(series: readonly EntsoeSeries[], publishedAtMs?: number): PriceCurve[] {
  const groups = new Map<string, EntsoeSeries[]>();
  for (const s of series) {
    const key = `${s.zone}|${s.resolutionMs}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const out: PriceCurve[] = [];
  for (const group of groups.values()) {
    const ordered = [...group].sort((a, b) => (a.classificationPosition ?? 0) - (b.classificationPosition ?? 0));
    const byStart = new Map<number, Rate>();
    for (const s of ordered) for (const r of s.rates) if (!byStart.has(r.startMs)) byStart.set(r.startMs, r);
    const first = ordered[0]!;
    out.push({
      zone: first.zone,
      currency: 'EUR',
      unit: 'EUR/MWh',
      resolutionMs: first.resolutionMs,
      rates: [...byStart.values()].sort((a, b) => a.startMs - b.startMs),
      source: 'entsoe:A44',
      ...(publishedAtMs === undefined ? {} : { publishedAtMs }),
    });
  }
  return out;
}

/** Convenience: parse and merge; `gaps` lists MTUs inside the document's series that have no price (A01 only). */
export function entsoeDayAheadCurves(
  xml: string,
): { kind: 'no-data'; reasonText: string } | { kind: 'prices'; curves: (PriceCurve & { gaps: Gap[] })[] } {
  const doc = parseEntsoeA44(xml);
  if (doc.kind === 'no-data') return { kind: 'no-data', reasonText: doc.reasonText };
  return { kind: 'prices', curves: mergeEntsoeSeries(doc.series, doc.createdAtMs).map((c) => ({ ...c, gaps: findGaps(c.rates) })) };
}
