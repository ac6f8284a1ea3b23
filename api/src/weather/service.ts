/**
 * Weather fetch scheduler (adapter): every `intervalMs` (default 1 h) for each site with
 * coordinates, fetch the Open-Meteo forecast (yesterday … +3 days) and store it with its issue
 * time (the fetch time: Open-Meteo does not say when its model ran); the part before now also
 * fills missing history. Once a day the archive for the last `archiveDays` days (ending 2 days
 * ago: the reanalysis lags) replaces that history. Failures are logged per site; the others go on.
 */
import type { Logger } from '../ops/logger.js';
import type { Database } from '../store/index.js';
import type { OpenMeteoClient } from './client.js';
import { insertWeatherForecast, upsertWeatherHistory } from './store.js';

const DAY_MS = 86_400_000;

export interface WeatherServiceOptions {
  db: Database;
  log: Logger;
  client: OpenMeteoClient;
  now?: () => number;
  intervalMs?: number;
  firstDelayMs?: number;
  /** Days of archive fetched once a day per site. Default 14. */
  archiveDays?: number;
}

export interface WeatherService {
  tick(): Promise<{ sites: number; failed: string[] }>;
  stop(): Promise<void>;
}

export function startWeatherService(o: WeatherServiceOptions): WeatherService {
  const now = o.now ?? Date.now;
  const archivedOn = new Map<string, string>();
  let running: Promise<{ sites: number; failed: string[] }> | undefined;
  let stopped = false;

  async function site(s: { id: string; latitude: number; longitude: number }, nowMs: number): Promise<void> {
    const fc = await o.client.forecast(s.latitude, s.longitude, nowMs);
    await insertWeatherForecast(o.db, s.id, fc.source, nowMs, fc.records);
    const past = fc.records.filter((r) => r.endMs <= nowMs);
    await upsertWeatherHistory(o.db, s.id, 'openmeteo:forecast-past', past, false);
    const today = new Date(nowMs).toISOString().slice(0, 10);
    let archived = 0;
    if (archivedOn.get(s.id) !== today) {
      const to = new Date(nowMs - 2 * DAY_MS).toISOString().slice(0, 10);
      const from = new Date(nowMs - (2 + (o.archiveDays ?? 14)) * DAY_MS).toISOString().slice(0, 10);
      const hist = await o.client.archive(s.latitude, s.longitude, from, to);
      archived = await upsertWeatherHistory(o.db, s.id, hist.source, hist.records, true);
      archivedOn.set(s.id, today);
    }
    o.log.info(
      { siteId: s.id, forecastRecords: fc.records.length, archived },
      `weather ${s.id}: stored a forecast of ${fc.records.length} h${archived > 0 ? ` and ${archived} h of archive` : ''}`,
    );
  }

  const tick = () => {
    running ??= (async () => {
      const nowMs = now();
      const { rows } = await o.db.query<{ id: string; latitude: number; longitude: number }>(
        'select id, latitude, longitude from sites where latitude is not null and longitude is not null order by id',
      );
      const failed: string[] = [];
      for (const s of rows) {
        if (stopped) break;
        await site(s, nowMs).catch((err: Error) => {
          failed.push(s.id);
          o.log.warn({ siteId: s.id, err: err.message }, `weather ${s.id}: fetch failed (${err.message}); next try in an hour`);
        });
      }
      return { sites: rows.length, failed };
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const first = setTimeout(() => void tick().catch(() => undefined), o.firstDelayMs ?? 5_000);
  const timer = setInterval(() => void tick().catch(() => undefined), o.intervalMs ?? 3_600_000);
  first.unref();
  timer.unref();
  return {
    tick,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
