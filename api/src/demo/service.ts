/**
 * The demo site adapter: creates the site "demo" and its three series if missing, backfills the
 * last 7 days at 15-minute resolution, then every `intervalS` seconds sends the current readings of
 * grid, load and PV power through the ingest bus — the same path a meter's readings take.
 */
import { readFileSync } from 'node:fs';
import { recordAudit, SYSTEM } from '../audit/index.js';
import type { IngestBus } from '../ingest/bus.js';
import type { Quantity, Reading, Semantics } from '../ingest/model.js';
import type { Logger } from '../ops/logger.js';
import type { Database } from '../store/index.js';
import { createSeries, listSeries } from '../timeseries/series.js';
import { backfillPoints, parseDemoCsv, powersAt, type DemoPoint, type DemoYear } from './replay.js';

export const DEMO_SITE = { id: 'demo', name: 'Musterwerk (Demo)', timeZone: 'Europe/Berlin' } as const;
export const DEMO_SERIES = [
  { key: 'grid/power', name: 'Grid power (import +)', pick: (p: DemoPoint) => p.gridW },
  { key: 'load/power', name: 'Load power', pick: (p: DemoPoint) => p.loadW },
  { key: 'pv/power', name: 'PV power', pick: (p: DemoPoint) => p.pvW },
] as const;
export const BACKFILL_DAYS = 7;

export interface DemoOptions {
  db: Database;
  bus: IngestBus;
  log: Logger;
  intervalS: number;
  dataFile: string;
  /** clock, epoch ms (tests) */
  now?: () => number;
}

export interface DemoReplay {
  siteId: string;
  /** series id per key */
  seriesIds: Record<(typeof DEMO_SERIES)[number]['key'], number>;
  /** stops the ticks and waits for the one in flight */
  stop(): Promise<void>;
}

export interface DemoSeriesSpec {
  key: string;
  name: string;
  quantity: Quantity;
  semantics: Semantics;
}

/** Creates the demo site and its series when missing (idempotent); returns the series ids by key. */
export async function ensureDemoSite(db: Database): Promise<DemoReplay['seriesIds']> {
  return (await ensureDemoSiteWith(db, [])) as DemoReplay['seriesIds'];
}

/** ensureDemoSite with more series (the simulator's devices); returns the ids of all by key. */
export async function ensureDemoSiteWith(db: Database, extra: readonly DemoSeriesSpec[]): Promise<Record<string, number>> {
  const all: DemoSeriesSpec[] = [
    ...DEMO_SERIES.map((s) => ({ key: s.key, name: s.name, quantity: 'active_power' as const, semantics: 'instantaneous' as const })),
    ...extra,
  ];
  await db.transaction(async (tx) => {
    const created = await tx.query('insert into sites (id, name, time_zone) values ($1, $2, $3) on conflict (id) do nothing returning id', [
      DEMO_SITE.id,
      DEMO_SITE.name,
      DEMO_SITE.timeZone,
    ]);
    if (created.rows.length > 0) {
      await recordAudit(tx, {
        actor: SYSTEM,
        action: 'site.create',
        target: `site:${DEMO_SITE.id}`,
        siteId: DEMO_SITE.id,
        after: { name: DEMO_SITE.name, timeZone: DEMO_SITE.timeZone, demo: true },
      });
    }
    const have = new Set((await listSeries(tx, DEMO_SITE.id)).map((s) => s.key));
    for (const s of all.filter((x) => !have.has(x.key)))
      await createSeries(tx, DEMO_SITE.id, { key: s.key, name: s.name, quantity: s.quantity, semantics: s.semantics });
  });
  const byKey = new Map((await listSeries(db, DEMO_SITE.id)).map((s) => [s.key, s.id]));
  return Object.fromEntries(all.map((s) => [s.key, byKey.get(s.key)!]));
}

export function readingsOf(points: readonly DemoPoint[], ids: DemoReplay['seriesIds']): Reading[] {
  return points.flatMap((p) =>
    DEMO_SERIES.map((s) => ({ seriesId: ids[s.key], tsMs: p.tsMs, value: s.pick(p), quality: 'measured' as const })),
  );
}

/** Loads the demo file, prepares the site, backfills, and starts the ticks. */
export async function startDemo(options: DemoOptions): Promise<DemoReplay> {
  const now = options.now ?? Date.now;
  const demo: DemoYear = parseDemoCsv(readFileSync(options.dataFile, 'utf8'));
  const seriesIds = await ensureDemoSite(options.db);
  await options.bus.enqueue(readingsOf(backfillPoints(demo, now(), BACKFILL_DAYS), seriesIds));

  let inFlight: Promise<void> = Promise.resolve();
  let failing = false;
  const tick = async () => {
    const tsMs = now();
    try {
      await options.bus.enqueue(readingsOf([{ tsMs, ...powersAt(demo, tsMs) }], seriesIds));
      if (failing) options.log.info('demo site: readings flow again');
      failing = false;
    } catch (err) {
      if (!failing) options.log.warn({ err: (err as Error).message }, 'demo site: could not hand readings to the ingest bus; will retry');
      failing = true;
    }
  };
  const timer = setInterval(() => {
    inFlight = inFlight.then(tick);
  }, options.intervalS * 1000);
  timer.unref();
  return {
    siteId: DEMO_SITE.id,
    seriesIds,
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
