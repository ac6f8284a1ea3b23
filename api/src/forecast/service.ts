/**
 * Forecast service (adapter): every `intervalMs` (default 1 h, on the hour's grid) it issues a
 * load, a PV and a price forecast for each site from what is stored — 15-minute means of the
 * site's series, its weather, the prices of its zone — with H3's pure forecasters, and stores
 * each with its issue time. A model that cannot forecast (too little history, no PV series…) is
 * skipped with a debug line; one site's failure does not stop the others.
 *
 * Which series is what (until sites carry this as configuration): load = key `load/power`, else
 * the first power series whose key has load/consumption/verbrauch; PV = the first power series
 * whose key has pv/solar. The PV system is ASSUMED (30° tilt, south, peak power = 1.15 × the
 * highest 15-minute mean of the last 30 days) and calibrated by the model to the measured history;
 * a site's real array data should replace this once sites have a PV configuration.
 */
import { isGermanState, type GermanState } from '../calendar/holidays.js';
import type { Logger } from '../ops/logger.js';
import type { Database } from '../store/index.js';
import { queryPrices, siteScope } from '../markets/store.js';
import { latestWeatherForecast, queryWeatherHistory } from '../weather/store.js';
import type { WeatherRecord } from '../weather/model.js';
import { clearSkyPv, kcBlendPv } from './pv.js';
import { profileLoad } from './load.profile.js';
import { profilePrice } from './price.js';
import { ForecastInputError, type QuantileForecast, type RegularSeries, type SiteCalendar } from './model.js';
import { insertForecast } from './store.js';

const Q_MS = 900_000;
const DAY_MS = 86_400_000;

export interface ForecastServiceOptions {
  db: Database;
  log: Logger;
  /** Bidding zone for prices (LUNA_PRICE_AREA). */
  priceZone: string;
  now?: () => number;
  intervalMs?: number;
  firstDelayMs?: number;
  /** Forecast horizon. Default 48 h. */
  horizonMs?: number;
  /** History read for the models. Default 63 days. */
  historyMs?: number;
}

interface SiteRow {
  id: string;
  time_zone: string;
  latitude: number | null;
  longitude: number | null;
}

/** A 15-minute series of mean power in W from the rollups; missing buckets are NaN. */
async function powerSeries(db: Database, seriesId: number, fromMs: number, toMs: number): Promise<RegularSeries> {
  const { rows } = await db.query<{ bucket: Date | string; value: number }>(
    `select bucket, sum / n as value from readings_rollup
      where series_id = $1 and resolution = '15m' and bucket >= $2 and bucket < $3 order by bucket`,
    [seriesId, new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
  );
  const values = new Array<number>(Math.round((toMs - fromMs) / Q_MS)).fill(NaN);
  for (const r of rows) {
    const i = Math.round((new Date(r.bucket).getTime() - fromMs) / Q_MS);
    if (i >= 0 && i < values.length) values[i] = r.value;
  }
  return { startMs: fromMs, stepMs: Q_MS, values };
}

/** Hourly temperature in °C (history, then the latest forecast known at issue time); NaN where unknown. */
function temperatureSeries(records: readonly WeatherRecord[], fromMs: number, toMs: number): RegularSeries | undefined {
  const stepMs = 3_600_000;
  const values = new Array<number>(Math.ceil((toMs - fromMs) / stepMs)).fill(NaN);
  let any = false;
  for (const r of records) {
    if (r.tempC === undefined) continue;
    const i = Math.floor((r.startMs - fromMs) / stepMs);
    if (i >= 0 && i < values.length) {
      values[i] = r.tempC;
      any = true;
    }
  }
  return any ? { startMs: fromMs, stepMs, values } : undefined;
}

export function siteCalendar(timeZone: string, state?: string): SiteCalendar {
  const st: GermanState | 'DE' | undefined =
    state !== undefined && isGermanState(state) ? state : timeZone === 'Europe/Berlin' ? 'DE' : undefined;
  return { timeZone, ...(st !== undefined ? { state: st } : {}) };
}

export interface IssueReport {
  siteId: string;
  stored: string[];
  skipped: string[];
}

export interface ForecastService {
  /** Issues and stores the forecasts of one site at `nowMs` (also what the timer does for every site). */
  issueSite(siteId: string, nowMs?: number): Promise<IssueReport>;
  tick(): Promise<IssueReport[]>;
  stop(): Promise<void>;
}

export function startForecastService(o: ForecastServiceOptions): ForecastService {
  const now = o.now ?? Date.now;
  const horizonMs = o.horizonMs ?? 2 * DAY_MS;
  const historyMs = o.historyMs ?? 63 * DAY_MS;
  let running: Promise<IssueReport[]> | undefined;
  let stopped = false;

  async function issueSite(siteId: string, nowMs = now()): Promise<IssueReport> {
    const report: IssueReport = { siteId, stored: [], skipped: [] };
    const { rows: sites } = await o.db.query<SiteRow>('select id, time_zone, latitude, longitude from sites where id = $1', [siteId]);
    const site = sites[0];
    if (site === undefined) throw new Error(`no site ${siteId}`);
    const issuedAt = new Date(Math.floor(nowMs / Q_MS) * Q_MS);
    const fromMs = issuedAt.getTime() - historyMs;
    const toMs = issuedAt.getTime();
    const calendar = siteCalendar(site.time_zone);
    const steps = Math.round(horizonMs / Q_MS);
    const { rows: series } = await o.db.query<{ id: number; key: string }>(
      `select id, key from series where site_id = $1 and quantity = 'active_power' order by id`,
      [siteId],
    );
    const loadSeries = series.find((s) => s.key === 'load/power') ?? series.find((s) => /(load|consumption|verbrauch)/i.test(s.key));
    const pvSeries = series.find((s) => /(pv|solar)/i.test(s.key));
    const weatherHist = await queryWeatherHistory(o.db, siteId, fromMs, toMs);
    const weatherFc = await latestWeatherForecast(o.db, siteId, toMs - DAY_MS, toMs + horizonMs, toMs);
    const weather = [...weatherHist.filter((r) => r.startMs < toMs), ...(weatherFc?.records.filter((r) => r.startMs >= toMs) ?? [])];

    const attempt = async (name: string, make: () => QuantileForecast) => {
      try {
        const fc = make();
        await insertForecast(o.db, siteId, fc);
        report.stored.push(fc.model);
      } catch (err) {
        report.skipped.push(`${name}: ${(err as Error).message}`);
        if (!(err instanceof ForecastInputError))
          o.log.warn({ siteId, err: (err as Error).message }, `forecast ${name} for ${siteId} failed`);
      }
    };

    if (loadSeries !== undefined) {
      const history = await powerSeries(o.db, loadSeries.id, fromMs, toMs);
      const temperatureC = temperatureSeries(weather, fromMs, toMs + horizonMs);
      await attempt('load', () =>
        profileLoad().forecast({ history, calendar, ...(temperatureC ? { temperatureC } : {}) }, issuedAt, steps),
      );
    } else report.skipped.push('load: no load series (key load/power)');

    if (pvSeries !== undefined && site.latitude !== null && site.longitude !== null) {
      const history = await powerSeries(o.db, pvSeries.id, toMs - 30 * DAY_MS, toMs);
      const peak = Math.max(0, ...history.values.filter(Number.isFinite));
      if (peak > 0) {
        const system = { latitudeDeg: site.latitude, longitudeDeg: site.longitude, tiltDeg: 30, azimuthDeg: 180, peakPowerW: 1.15 * peak };
        const hasForecastWeather = weather.some((r) => r.startMs >= toMs && (r.ghiWPerM2 !== undefined || r.cloudCoverPct !== undefined));
        await attempt('pv', () =>
          (hasForecastWeather ? clearSkyPv() : kcBlendPv()).forecast({ history, weather, system, stepMs: Q_MS }, issuedAt, steps),
        );
      } else report.skipped.push('pv: no PV power measured in the last 30 days');
    } else report.skipped.push('pv: no PV series or no site coordinates');

    const own = await queryPrices(o.db, siteScope(siteId), toMs - 35 * DAY_MS, toMs + horizonMs);
    const known = own.length > 0 ? own : await queryPrices(o.db, o.priceZone, toMs - 35 * DAY_MS, toMs + horizonMs);
    if (known.length > 0) {
      const publishedUntilMs = known[known.length - 1]!.endMs;
      await attempt('price', () => profilePrice().forecast({ known, publishedUntilMs, calendar, stepMs: Q_MS }, issuedAt, steps));
    } else report.skipped.push('price: no stored prices');
    return report;
  }

  const tick = () => {
    running ??= (async () => {
      const { rows } = await o.db.query<{ id: string }>('select id from sites order by id');
      const nowMs = now();
      const reports: IssueReport[] = [];
      for (const { id } of rows) {
        if (stopped) break;
        try {
          const r = await issueSite(id, nowMs);
          reports.push(r);
          if (r.stored.length > 0) o.log.info(r, `forecasts for ${id}: ${r.stored.join(', ')}`);
          else o.log.debug(r, `forecasts for ${id}: none (${r.skipped.join('; ')})`);
        } catch (err) {
          o.log.warn({ siteId: id, err: (err as Error).message }, `forecasts for ${id} failed`);
        }
      }
      return reports;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const first = setTimeout(() => void tick().catch(() => undefined), o.firstDelayMs ?? 30_000);
  const timer = setInterval(() => void tick().catch(() => undefined), o.intervalMs ?? 3_600_000);
  first.unref();
  timer.unref();
  return {
    issueSite,
    tick,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
