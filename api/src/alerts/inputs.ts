/** Adapter: reads what each rule kind needs (readings, events, device health, peak target) and evaluates it. */
import { listEvents } from '../events/store.js';
import { localMidnightMs } from '../markets/service.js';
import type { Queryable } from '../store/index.js';
import { zoneFormatter, zoneParts } from '../time/zone.js';
import {
  evaluateAnomaly,
  evaluateDeviceOffline,
  evaluatePeakAtRisk,
  evaluateThreshold,
  QUARTER_HOUR_MS,
  type Condition,
  type DeviceInput,
  type TimedValue,
} from './evaluate.js';
import type { AlertRule } from './rules.js';

export interface RuleInputs {
  devices?: (siteId: string) => DeviceInput[];
  peakTargetW?: (siteId: string, nowMs: number) => Promise<number | undefined>;
  timeZone: () => Promise<string>;
}

/** The conditions of one rule that hold now; throws when its inputs cannot be read. */
export async function ruleConditions(db: Queryable, siteId: string, rule: AlertRule, nowMs: number, o: RuleInputs): Promise<Condition[]> {
  switch (rule.kind) {
    case 'threshold': {
      const readings = await thresholdReadings(db, siteId, rule.seriesKey, nowMs, rule.forS);
      const c = evaluateThreshold(rule, readings, nowMs);
      return c ? [c] : [];
    }
    case 'anomaly': {
      const events = await listEvents(db, { siteId, fromMs: nowMs - rule.activeForS * 1000, unacknowledgedOnly: true, limit: 500 });
      const inputs = events.map((e) => ({
        id: e.id,
        kind: e.kind,
        severity: e.severity,
        endMs: Date.parse(e.end),
        acknowledged: e.acknowledgedAt !== null,
        message: e.message,
        seriesId: e.seriesId,
      }));
      return evaluateAnomaly(rule, inputs, nowMs);
    }
    case 'device-offline': {
      if (!o.devices) {
        return [];
      }
      return evaluateDeviceOffline(rule, o.devices(siteId), nowMs);
    }
    case 'peak-at-risk': {
      const tz = await o.timeZone();
      const seriesId = await seriesIdOf(db, siteId, rule.seriesKey);
      if (seriesId === undefined) {
        return [];
      }
      const quarterStartMs = Math.floor(nowMs / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
      const readings = await readingsBetween(db, seriesId, quarterStartMs, nowMs);
      const targetW = o.peakTargetW ? await o.peakTargetW(siteId, nowMs) : undefined;
      const peakSoFarW =
        targetW === undefined ? await periodPeakW(db, seriesId, billingPeriodStartMs(nowMs, tz), quarterStartMs) : undefined;
      const c = evaluatePeakAtRisk(rule, { readings, targetW, peakSoFarW }, nowMs);
      return c ? [c] : [];
    }
  }
}

async function seriesIdOf(db: Queryable, siteId: string, key: string): Promise<number | undefined> {
  const { rows } = await db.query<{ id: number }>('select id from series where site_id = $1 and key = $2', [siteId, key]);
  return rows[0]?.id;
}

export async function siteTimeZone(db: Queryable, siteId: string): Promise<string> {
  const { rows } = await db.query<{ time_zone: string }>('select time_zone from sites where id = $1', [siteId]);
  return rows[0]?.time_zone ?? 'Europe/Berlin';
}

const toTimed = (rows: Array<{ ts: unknown; value: number | string }>): TimedValue[] =>
  rows.map((r) => ({ tsMs: new Date(r.ts as string).getTime(), value: Number(r.value) }));

/** The newest reading at or before now − forS, then every reading up to now, ascending. */
async function thresholdReadings(db: Queryable, siteId: string, key: string, nowMs: number, forS: number): Promise<TimedValue[]> {
  const id = await seriesIdOf(db, siteId, key);
  if (id === undefined) return [];
  const startIso = new Date(nowMs - forS * 1000).toISOString();
  const nowIso = new Date(nowMs).toISOString();
  const before = await db.query<{ ts: unknown; value: number }>(
    'select ts, value from readings where series_id = $1 and ts <= $2 and quality < 3 order by ts desc limit 1',
    [id, startIso],
  );
  if (forS === 0) return toTimed(before.rows);
  const inside = await db.query<{ ts: unknown; value: number }>(
    'select ts, value from readings where series_id = $1 and ts > $2 and ts <= $3 and quality < 3 order by ts',
    [id, startIso, nowIso],
  );
  return toTimed([...before.rows, ...inside.rows]);
}

async function readingsBetween(db: Queryable, seriesId: number, fromMs: number, toMs: number): Promise<TimedValue[]> {
  const { rows } = await db.query<{ ts: unknown; value: number }>(
    'select ts, value from readings where series_id = $1 and ts >= $2 and ts <= $3 and quality < 3 order by ts',
    [seriesId, new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
  );
  return toTimed(rows);
}

/** The highest quarter-hour mean of the series in [fromMs, toMs) from the 15-minute rollups, W. */
async function periodPeakW(db: Queryable, seriesId: number, fromMs: number, toMs: number): Promise<number | undefined> {
  const { rows } = await db.query<{ peak: number | string | null }>(
    `select max(sum / n) as peak from readings_rollup where series_id = $1 and resolution = '15m' and bucket >= $2 and bucket < $3 and n > 0`,
    [seriesId, new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
  );
  const p = rows[0]?.peak;
  return p === null || p === undefined ? undefined : Number(p);
}

/** Start of the billing period (the calendar month in the site's time zone) that contains nowMs. */
export function billingPeriodStartMs(nowMs: number, timeZone: string): number {
  const f = zoneFormatter(timeZone) ?? zoneFormatter('UTC')!;
  const p = zoneParts(f, nowMs);
  return localMidnightMs(`${p.year}-${String(p.month).padStart(2, '0')}-01`, timeZone);
}
