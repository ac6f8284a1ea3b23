/**
 * Wiring of the scheduled intelligence jobs (composition helper for app.ts): the price fetch
 * scheduler (LUNA_PRICE_SOURCE, plus the demo site's price replay), the weather fetcher
 * (LUNA_WEATHER_SOURCE), hourly forecasts (LUNA_FORECASTS) and the anomaly scan
 * (LUNA_ANOMALY_SCAN), with their routes. Nothing here touches the network unless configured:
 * the defaults are price source `none` and weather `none`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/index.js';
import type { Logger } from '../ops/logger.js';
import type { Database } from '../store/index.js';
import { startAnomalyScanner, type AnomalyScanner } from '../anomaly/scan.js';
import { registerForecastRoutes } from '../forecast/routes.js';
import { startForecastService, type ForecastService } from '../forecast/service.js';
import { registerPriceRoutes } from '../markets/routes.js';
import { startPriceService, type PriceFeed, type PriceService } from '../markets/service.js';
import { awattarSource, csvSource, demoReplaySource, entsoeSource } from '../markets/sources.js';
import { siteScope } from '../markets/store.js';
import { openMeteoClient } from '../weather/client.js';
import { registerWeatherRoutes } from '../weather/routes.js';
import { startWeatherService, type WeatherService } from '../weather/service.js';
import { registerEventRoutes } from './routes.js';

/** The shipped real 2023 DE-LU prices the demo site replays (repository root demo/). */
export const DEMO_PRICES_FILE: string = fileURLToPath(new URL('../../../demo/prices-de-lu-2023.csv', import.meta.url));

export interface Intelligence {
  prices: PriceService | undefined;
  weather: WeatherService | undefined;
  forecasts: ForecastService | undefined;
  anomalies: AnomalyScanner | undefined;
  registerRoutes(server: FastifyInstance): void;
  stop(): Promise<void>;
}

export function startIntelligence(o: { config: Config; db: Database; log: Logger; demoSiteId?: string }): Intelligence {
  const { config, db } = o;
  const log = o.log.child({ component: 'intelligence' });
  const m = config.markets;
  const feeds: PriceFeed[] = [];
  if (m.source === 'entsoe' && m.entsoe) {
    try {
      feeds.push({
        scope: m.area,
        timeZone: 'Europe/Berlin',
        source: entsoeSource({ securityToken: m.entsoe.token, zone: m.area, baseUrl: m.entsoe.url }),
      });
    } catch (err) {
      log.warn(`LUNA_PRICE_AREA: ${(err as Error).message}; no market prices from ENTSO-E`);
    }
  } else if (m.source === 'awattar')
    feeds.push({ scope: m.area, timeZone: 'Europe/Berlin', source: awattarSource({ baseUrl: m.awattarUrl, zone: m.area }) });
  else if (m.source === 'csv' && m.csvFile) {
    let text: string | undefined;
    try {
      text = readFileSync(m.csvFile, 'utf8');
    } catch (err) {
      // a bad price file must not keep the service from starting; the log says what to fix
      log.warn(
        `LUNA_PRICE_CSV ${m.csvFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); no market prices`,
      );
    }
    if (text !== undefined) {
      const src = csvSource(text, m.area);
      if (src.errors.length > 0)
        log.warn(
          { file: m.csvFile, rejected: src.errors.length, first: src.errors[0] },
          `LUNA_PRICE_CSV: ${src.errors.length} line(s) rejected, the others are used`,
        );
      feeds.push({ scope: m.area, timeZone: 'Europe/Berlin', source: src, backfillDays: 400 });
    }
  }
  if (o.demoSiteId !== undefined) {
    try {
      feeds.push({
        scope: siteScope(o.demoSiteId),
        timeZone: 'Europe/Berlin',
        source: demoReplaySource(readFileSync(DEMO_PRICES_FILE, 'utf8')),
        siteIds: [o.demoSiteId],
        backfillDays: 35,
      });
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'demo prices: could not read the shipped price file; the demo site has no prices');
    }
  }
  const prices = feeds.length > 0 ? startPriceService({ db, log: log.child({ job: 'prices' }), feeds }) : undefined;
  log.info(
    `prices: ${m.source === 'none' ? 'no market source (LUNA_PRICE_SOURCE=none)' : `${m.source} for ${m.area}`}${o.demoSiteId ? `; demo site replays real 2023 DE-LU prices` : ''}`,
  );

  const weather =
    config.weather.source === 'openmeteo'
      ? startWeatherService({
          db,
          log: log.child({ job: 'weather' }),
          client: openMeteoClient({ forecastUrl: config.weather.forecastUrl, archiveUrl: config.weather.archiveUrl }),
        })
      : undefined;
  const forecasts = config.intelligence.forecasts
    ? startForecastService({ db, log: log.child({ job: 'forecasts' }), priceZone: m.area })
    : undefined;
  const anomalies = config.intelligence.anomalyScan ? startAnomalyScanner(db, log.child({ job: 'anomaly-scan' })) : undefined;

  return {
    prices,
    weather,
    forecasts,
    anomalies,
    registerRoutes(server) {
      registerPriceRoutes(server, db, { zone: m.area });
      registerWeatherRoutes(server, db);
      registerForecastRoutes(server, db);
      registerEventRoutes(server, db);
    },
    async stop() {
      await Promise.all([prices?.stop(), weather?.stop(), forecasts?.stop(), anomalies?.stop()]);
    },
  };
}
