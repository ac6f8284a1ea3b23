/**
 * Anomaly scan service (adapter): every `intervalMs` it reads the 15-minute means of each power
 * series of each site (the rollups the writer keeps), runs `detectAnomalies` in the site's local
 * time with the site's holidays, and stores each finding that touches the recent report window as
 * an event (kind `anomaly.<finding kind>`, with severity), de-duplicated per series and start so
 * that a repeated scan updates the event instead of adding one. A scan never throws: a failing site
 * is logged and the others go on.
 *
 * Per-series choices, from the series key (heuristics until series carry these attributes; noted
 * in README.md): keys with grid/battery/export/net are bidirectional (negative values allowed);
 * keys with pv/solar allow runs of 0 (night).
 */
import { isHoliday, type GermanState } from '../calendar/holidays.js';
import { upsertEvents, type NewEvent } from '../events/store.js';
import type { Logger } from '../ops/logger.js';
import type { Database } from '../store/index.js';
import { detectAnomalies, type DetectOptions, type Finding } from './detect.js';

const Q_MS = 900_000;
const DAY_MS = 86_400_000;

export interface ScanOptions {
  /** History read per scan; the baseline needs weeks before the report window. Default 9 weeks. */
  lookbackMs?: number;
  /** Findings ending inside the last `reportMs` become events. Default 2 days. */
  reportMs?: number;
  /** Readings may arrive this late; the scan ends here before now. Default 30 min. */
  lagMs?: number;
  /** German state for holidays when the site has none (sites carry no state yet). Default 'DE' (nationwide). */
  holidayState?: GermanState | 'DE';
  /** Extra detector options for every series. */
  detect?: Partial<DetectOptions>;
}

export interface ScanReport {
  sites: number;
  series: number;
  findings: number;
  created: number;
  updated: number;
  failed: string[];
}

interface SeriesRow {
  id: number;
  site_id: string;
  key: string;
  time_zone: string;
}

/** Detector options for one series from its key (see the module comment). */
export function optionsForSeries(key: string, timeZone: string, state: GermanState | 'DE'): Partial<DetectOptions> {
  const k = key.toLowerCase();
  return {
    intervalMs: Q_MS,
    unit: 'kW',
    timeZone,
    gapMinMs: 2 * Q_MS,
    flatlineMinMs: 3 * 3_600_000,
    importOnly: !/(grid|battery|export|net)/.test(k),
    allowZeroRuns: /(pv|solar)/.test(k),
    ...(timeZone === 'Europe/Berlin' ? { isHoliday: (d: string) => isHoliday(d, state) } : {}),
  };
}

/** One finding → one event (pure). */
export function findingToEvent(siteId: string, seriesId: number, key: string, f: Finding): NewEvent {
  return {
    siteId,
    seriesId,
    kind: `anomaly.${f.kind}`,
    severity: f.severity,
    startMs: f.startMs,
    endMs: f.endMs,
    message: `${key}: ${f.detail}`,
    dedupKey: `anomaly.${f.kind}:${seriesId}:${f.startMs}`,
  };
}

/** Scans every power series once at `nowMs`. */
export async function scanOnce(db: Database, log: Logger, nowMs: number, o: ScanOptions = {}): Promise<ScanReport> {
  const lookbackMs = o.lookbackMs ?? 63 * DAY_MS;
  const reportMs = o.reportMs ?? 2 * DAY_MS;
  const endMs = Math.floor((nowMs - (o.lagMs ?? 2 * Q_MS)) / Q_MS) * Q_MS;
  const fromMs = endMs - lookbackMs;
  const { rows } = await db.query<SeriesRow>(
    `select s.id, s.site_id, s.key, si.time_zone from series s join sites si on si.id = s.site_id
      where s.quantity = 'active_power' order by s.site_id, s.id`,
  );
  const report: ScanReport = {
    sites: new Set(rows.map((r) => r.site_id)).size,
    series: rows.length,
    findings: 0,
    created: 0,
    updated: 0,
    failed: [],
  };
  for (const s of rows) {
    try {
      const { rows: pts } = await db.query<{ bucket: Date | string; value: number }>(
        `select bucket, sum / n as value from readings_rollup
          where series_id = $1 and resolution = '15m' and bucket >= $2 and bucket < $3 order by bucket`,
        [s.id, new Date(fromMs).toISOString(), new Date(endMs).toISOString()],
      );
      if (pts.length === 0) continue; // a series that never reported is not a gap of this scan
      const points = pts.map((p) => ({ tsMs: new Date(p.bucket).getTime(), value: p.value / 1000 }));
      const findings = detectAnomalies(points, {
        ...optionsForSeries(s.key, s.time_zone, o.holidayState ?? 'DE'),
        expectedEndMs: endMs,
        ...o.detect,
      }).filter((f) => f.endMs > endMs - reportMs);
      report.findings += findings.length;
      const r = await upsertEvents(
        db,
        findings.map((f) => findingToEvent(s.site_id, s.id, s.key, f)),
      );
      report.created += r.created;
      report.updated += r.updated;
    } catch (err) {
      report.failed.push(`${s.site_id}/${s.key}`);
      log.warn(
        { err: (err as Error).message, siteId: s.site_id, seriesId: s.id },
        `anomaly scan of ${s.site_id}/${s.key} failed; the others go on`,
      );
    }
  }
  return report;
}

export interface AnomalyScanner {
  /** Runs one scan now (also what the timer does). */
  scan(): Promise<ScanReport>;
  stop(): Promise<void>;
}

/** Starts periodic scans (first one after `firstDelayMs`, default 1 min); `intervalMs` default 15 min. */
export function startAnomalyScanner(
  db: Database,
  log: Logger,
  opts: ScanOptions & { intervalMs?: number; firstDelayMs?: number; now?: () => number } = {},
): AnomalyScanner {
  const now = opts.now ?? Date.now;
  let running: Promise<ScanReport> | undefined;
  let stopped = false;
  const scan = (): Promise<ScanReport> => {
    running ??= scanOnce(db, log, now(), opts)
      .then((r) => {
        if (r.created > 0 || r.failed.length > 0)
          log.info(r, `anomaly scan: ${r.findings} finding(s) in ${r.series} series, ${r.created} new event(s)`);
        return r;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const tick = () => {
    if (!stopped) void scan().catch((err: Error) => log.warn({ err: err.message }, 'anomaly scan failed'));
  };
  const first = setTimeout(tick, opts.firstDelayMs ?? 60_000);
  const timer = setInterval(tick, opts.intervalMs ?? 15 * 60_000);
  first.unref();
  timer.unref();
  return {
    scan,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
