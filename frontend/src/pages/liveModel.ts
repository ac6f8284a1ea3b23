/** Applying pushed readings (live WebSocket, topic readings) to the series list — pure. */
import type { SeriesInfo } from '../series/model';

export interface PushedReading {
  seriesId: number;
  tsMs: number;
  value: number;
}

/** Readings out of a live message's data ({ siteId, readings: [...] }); broken entries are skipped. */
export function readingsOf(data: unknown): PushedReading[] {
  const list =
    typeof data === 'object' && data !== null && Array.isArray((data as { readings?: unknown }).readings)
      ? (data as { readings: unknown[] }).readings
      : [];
  return list.flatMap((r) => {
    if (typeof r !== 'object' || r === null) return [];
    const { seriesId, tsMs, value } = r as Record<string, unknown>;
    return typeof seriesId === 'number' && typeof tsMs === 'number' && typeof value === 'number' && Number.isFinite(value)
      ? [{ seriesId, tsMs, value }]
      : [];
  });
}

/** The list with each series' latest replaced by a newer pushed reading (older or equal ones change nothing). */
export function applyReadings(series: readonly SeriesInfo[], readings: readonly PushedReading[]): SeriesInfo[] {
  if (readings.length === 0) return series as SeriesInfo[];
  const newest = new Map<number, PushedReading>();
  for (const r of readings) {
    const prev = newest.get(r.seriesId);
    if (!prev || r.tsMs > prev.tsMs) newest.set(r.seriesId, r);
  }
  let changed = false;
  const out = series.map((s) => {
    const r = newest.get(s.id);
    if (!r) return s;
    const current = s.latest ? Date.parse(s.latest.ts) : -Infinity;
    if (r.tsMs <= current) return s;
    changed = true;
    return { ...s, latest: { ts: new Date(r.tsMs).toISOString(), value: r.value, quality: 'measured' } };
  });
  return changed ? out : (series as SeriesInfo[]);
}
