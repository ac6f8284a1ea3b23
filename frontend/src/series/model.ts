/** The series view's data: answers of the series API, spans and the selection rules — pure. */

export interface Reading {
  ts: string;
  value: number;
  quality: string;
}

export interface SeriesInfo {
  id: number;
  siteId: string;
  key: string;
  name: string;
  quantity: string;
  unit: string;
  semantics: string;
  intervalS: number | null;
  latest: Reading | null;
}

export const RESOLUTIONS = ['raw', '15m', '1h', '1d'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export type Aggregate = 'avg' | 'sum' | 'min' | 'max' | 'last';

export interface Readings {
  seriesId: number;
  unit: string;
  resolution: string;
  agg: string;
  points: Array<Reading & { n: number }>;
  gaps: Array<{ from: string; to: string }>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function parseReading(v: unknown): Reading | null {
  if (!isRecord(v) || typeof v.ts !== 'string' || typeof v.value !== 'number' || Number.isNaN(Date.parse(v.ts))) return null;
  return { ts: v.ts, value: v.value, quality: str(v.quality) || 'measured' };
}

export function parseSeries(v: unknown): SeriesInfo | null {
  if (!isRecord(v) || typeof v.id !== 'number' || typeof v.key !== 'string') return null;
  return {
    id: v.id,
    siteId: str(v.siteId),
    key: v.key,
    name: str(v.name),
    quantity: str(v.quantity),
    unit: str(v.unit),
    semantics: str(v.semantics),
    intervalS: typeof v.intervalS === 'number' ? v.intervalS : null,
    latest: parseReading(v.latest),
  };
}

export function parseSeriesList(body: unknown): SeriesInfo[] {
  return Array.isArray(body) ? body.map(parseSeries).filter((s): s is SeriesInfo => s !== null) : [];
}

export function parseReadings(body: unknown): Readings | null {
  if (!isRecord(body) || !isRecord(body.series) || !Array.isArray(body.points)) return null;
  const points: Readings['points'] = [];
  for (const p of body.points) {
    const r = parseReading(p);
    if (r) points.push({ ...r, n: isRecord(p) && typeof p.n === 'number' ? p.n : 1 });
  }
  const gaps = Array.isArray(body.gaps)
    ? body.gaps
        .filter(isRecord)
        .flatMap((g) => (typeof g.from === 'string' && typeof g.to === 'string' ? [{ from: g.from, to: g.to }] : []))
    : [];
  return {
    seriesId: typeof body.series.id === 'number' ? body.series.id : 0,
    unit: str(body.series.unit),
    resolution: str(body.resolution),
    agg: str(body.agg),
    points,
    gaps,
  };
}

/** How buckets combine readings: levels are averaged, meter registers take the last, interval energy is summed. */
export function aggFor(semantics: string): Aggregate {
  if (semantics === 'cumulative') return 'last';
  if (semantics === 'interval') return 'sum';
  return 'avg';
}

export const SPANS = [
  { id: '24h', ms: 86_400_000 },
  { id: '7d', ms: 7 * 86_400_000 },
  { id: '30d', ms: 30 * 86_400_000 },
  { id: '1y', ms: 365 * 86_400_000 },
] as const;
export type SpanId = (typeof SPANS)[number]['id'];

export const MAX_SELECTED = 4;
export const MAX_UNITS = 2;

/** Why a series cannot be added to the selection, or null when it can (or is already in it). */
export function selectBlock(all: readonly SeriesInfo[], selected: readonly number[], id: number): 'max' | 'units' | null {
  if (selected.includes(id)) return null;
  if (selected.length >= MAX_SELECTED) return 'max';
  const units = new Set(all.filter((s) => selected.includes(s.id)).map((s) => s.unit));
  const unit = all.find((s) => s.id === id)?.unit;
  if (unit !== undefined && !units.has(unit) && units.size >= MAX_UNITS) return 'units';
  return null;
}

/** The selection after ticking/unticking a series; unchanged when the rules do not allow adding it. */
export function toggleSelected(all: readonly SeriesInfo[], selected: readonly number[], id: number): number[] {
  if (selected.includes(id)) return selected.filter((s) => s !== id);
  return selectBlock(all, selected, id) === null ? [...selected, id] : [...selected];
}

/** Seconds since the reading (never negative: clocks of browser and service may differ a little). */
export function ageSeconds(ts: string, nowMs: number): number {
  return Math.max(0, (nowMs - Date.parse(ts)) / 1000);
}

/** Resolutions that keep a span's chart loadable: raw readings only up to 7 days (at 5 s that is 120 960 points). */
export function allowedResolutions(spanMs: number): Resolution[] {
  return RESOLUTIONS.filter((r) => r !== 'raw' || spanMs <= 7 * 86_400_000);
}
