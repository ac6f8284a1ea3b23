/**
 * The price fetch scheduler (adapter). Every `intervalMs` (default 15 min) and once at start it
 * makes sure each feed has today's and — from `publishHourLocal` (13:00) on — tomorrow's
 * day-ahead prices for its local delivery days. A day that is not fully stored is fetched; the
 * answer is stored, and every attempt is recorded in `price_fetches` ('ok', 'no-data', 'error').
 * "Not published yet" is normal before ~13:00 and is retried on the next tick; from
 * `missingAfterHourLocal` (default 15:00) on a still-missing tomorrow becomes a `prices.missing`
 * warning event on the sites the feed serves (the forecasts then extend the price curve with the
 * price model). Transport errors are retried inside one attempt with backoff (`http.ts`); the
 * scheduler never throws.
 */
import { upsertEvents } from '../events/store.js';
import type { Logger } from '../ops/logger.js';
import type { Database } from '../store/index.js';
import { MarketParseError } from './errors.js';
import { SourceError } from './http.js';
import type { PriceSource } from './sources.js';
import { coveredMs, recordFetch, upsertPrices } from './store.js';
import { findGaps } from './timeaxis.js';

const DAY_MS = 86_400_000;

export interface PriceFeed {
  /** Storage scope: the zone (`DE-LU`) or `site:<id>`. */
  scope: string;
  source: PriceSource;
  /** Time zone of the delivery days (the market's: Europe/Berlin for DE-LU). */
  timeZone: string;
  /** Sites that get a `prices.missing` event; default all sites. */
  siteIds?: readonly string[];
  /** Days before today fetched once at start. Default 14. */
  backfillDays?: number;
}

export interface PriceServiceOptions {
  db: Database;
  log: Logger;
  feeds: readonly PriceFeed[];
  now?: () => number;
  intervalMs?: number;
  firstDelayMs?: number;
  publishHourLocal?: number;
  missingAfterHourLocal?: number;
}

/** `YYYY-MM-DD` and hour of `tsMs` in `timeZone`. */
export function localDayHour(tsMs: number, timeZone: string): { day: string; hour: number } {
  const fmt = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  });
  const p = Object.fromEntries(fmt.formatToParts(new Date(tsMs)).map((x) => [x.type, x.value]));
  return { day: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour) };
}

/** UTC instant of local midnight starting `day` (`YYYY-MM-DD`) in `timeZone`. */
export function localMidnightMs(day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(y, m - 1, d);
  let guess = utcMidnight;
  for (let i = 0; i < 3; i++) {
    const { day: ld, hour } = localDayHour(guess, timeZone);
    const [ly, lm, ldd] = ld.split('-').map(Number) as [number, number, number];
    const wall = Date.UTC(ly, lm - 1, ldd, hour) + (guess % 3_600_000);
    guess -= wall - utcMidnight;
  }
  return guess;
}

/** The local delivery day after `day`. */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** Which delivery days should be stored at `nowMs` (pure): today, and tomorrow from the publish hour on. */
export function daysWanted(nowMs: number, timeZone: string, publishHourLocal: number): Array<{ day: string; tomorrow: boolean }> {
  const { day, hour } = localDayHour(nowMs, timeZone);
  const out = [{ day, tomorrow: false }];
  if (hour >= publishHourLocal) out.push({ day: nextDay(day), tomorrow: true });
  return out;
}

export interface PriceService {
  /** One pass over every feed (what the timer runs). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function startPriceService(o: PriceServiceOptions): PriceService {
  const now = o.now ?? Date.now;
  const publishHour = o.publishHourLocal ?? 13;
  const missingHour = o.missingAfterHourLocal ?? 15;
  const attempts = new Map<string, number>();
  const backfilled = new Set<string>();
  let running: Promise<void> | undefined;
  let stopped = false;

  async function fetchWindow(
    feed: PriceFeed,
    day: string,
    fromMs: number,
    toMs: number,
    nowMs: number,
  ): Promise<'ok' | 'no-data' | 'error'> {
    const key = `${feed.scope}|${day}`;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const tag = { scope: feed.scope, source: feed.source.name, deliveryDay: day, attempt };
    try {
      const res = await feed.source.fetch(fromMs, toMs, nowMs);
      if (res.kind === 'no-data') {
        await recordFetch(o.db, { ...tag, outcome: 'no-data', points: 0, detail: res.reason });
        o.log.info(
          tag,
          `prices ${feed.scope} ${day} from ${feed.source.name}: not published yet (${res.reason}); next try in ${Math.round((o.intervalMs ?? 900_000) / 60_000)} min`,
        );
        return 'no-data';
      }
      await upsertPrices(o.db, feed.scope, feed.source.name, res.rates);
      const gaps = findGaps(res.rates, { fromMs, toMs });
      await recordFetch(o.db, {
        ...tag,
        outcome: 'ok',
        points: res.rates.length,
        ...(gaps.length > 0 ? { detail: `${gaps.length} gap(s), first ${new Date(gaps[0]!.startMs).toISOString()}` } : {}),
      });
      const msg = `prices ${feed.scope} ${day} from ${feed.source.name}: stored ${res.rates.length} price(s) at ${res.resolutionMs / 60_000} min`;
      if (gaps.length > 0) o.log.warn({ ...tag, gaps: gaps.length }, `${msg}, but ${gaps.length} stretch(es) of the day have no price`);
      else o.log.info(tag, msg);
      return 'ok';
    } catch (err) {
      const retryable = err instanceof SourceError ? err.retryable : !(err instanceof MarketParseError);
      await recordFetch(o.db, { ...tag, outcome: 'error', points: 0, detail: (err as Error).message.slice(0, 500) }).catch(() => undefined);
      o.log.warn(
        { ...tag, err: (err as Error).message, retryable },
        `prices ${feed.scope} ${day} from ${feed.source.name} failed: ${(err as Error).message}${retryable ? ' — will retry on the next tick' : ' — retrying will not help; check the configuration'}`,
      );
      return 'error';
    }
  }

  async function missingEvent(feed: PriceFeed, day: string, fromMs: number, toMs: number): Promise<void> {
    const sites = feed.siteIds ?? (await o.db.query<{ id: string }>('select id from sites')).rows.map((r) => r.id);
    await upsertEvents(
      o.db,
      sites.map((siteId) => ({
        siteId,
        kind: 'prices.missing',
        severity: 'warning' as const,
        startMs: fromMs,
        endMs: toMs,
        message: `Day-ahead prices for ${day} (${feed.scope}, ${feed.source.name}) are still not published; plans for tomorrow use forecast prices until they arrive. Retrying every ${Math.round((o.intervalMs ?? 900_000) / 60_000)} min.`,
        dedupKey: `prices.missing:${feed.scope}:${day}`,
      })),
    );
  }

  async function runFeed(feed: PriceFeed, nowMs: number): Promise<void> {
    if (!backfilled.has(feed.scope) && (feed.backfillDays ?? 14) > 0) {
      backfilled.add(feed.scope);
      const today = localDayHour(nowMs, feed.timeZone).day;
      const toMs = localMidnightMs(today, feed.timeZone);
      const fromMs = toMs - (feed.backfillDays ?? 14) * DAY_MS;
      if ((await coveredMs(o.db, feed.scope, feed.source.name, fromMs, toMs)) < toMs - fromMs)
        await fetchWindow(feed, localDayHour(fromMs, feed.timeZone).day, fromMs, toMs, nowMs);
    }
    for (const { day, tomorrow } of daysWanted(nowMs, feed.timeZone, publishHour)) {
      const fromMs = localMidnightMs(day, feed.timeZone);
      const toMs = localMidnightMs(nextDay(day), feed.timeZone);
      if ((await coveredMs(o.db, feed.scope, feed.source.name, fromMs, toMs)) >= toMs - fromMs) continue;
      const outcome = await fetchWindow(feed, day, fromMs, toMs, nowMs);
      if (tomorrow && outcome !== 'ok' && localDayHour(nowMs, feed.timeZone).hour >= missingHour) {
        o.log.warn(
          { scope: feed.scope, day },
          `prices ${feed.scope} ${day}: tomorrow's day-ahead prices are still missing after ${missingHour}:00 local`,
        );
        await missingEvent(feed, day, fromMs, toMs).catch((err: Error) =>
          o.log.warn({ err: err.message }, 'could not record prices.missing'),
        );
      }
    }
  }

  const tick = (): Promise<void> => {
    running ??= (async () => {
      const nowMs = now();
      for (const feed of o.feeds) {
        if (stopped) break;
        await runFeed(feed, nowMs).catch((err: Error) => o.log.warn({ err: err.message, scope: feed.scope }, 'price feed failed'));
      }
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const first = setTimeout(() => void tick(), o.firstDelayMs ?? 2_000);
  const timer = setInterval(() => void tick(), o.intervalMs ?? 900_000);
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
