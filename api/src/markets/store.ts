/**
 * Price storage (adapter): rates per scope (a bidding zone such as `DE-LU`, or `site:<id>` for a
 * site's own upload) and source, and the log of fetch attempts per delivery day — so "tomorrow's
 * prices are missing" is on record, not only in a log line.
 */
import type { Queryable } from '../store/index.js';
import type { Rate } from './timeaxis.js';

export interface StoredRate extends Rate {
  source: string;
}

export const siteScope = (siteId: string): string => `site:${siteId}`;

/** Inserts or replaces rates (same scope, source, start). Multi-row inserts of at most 1 000 rates. */
export async function upsertPrices(db: Queryable, scope: string, source: string, rates: readonly Rate[]): Promise<number> {
  for (let i = 0; i < rates.length; i += 1000) {
    const chunk = rates.slice(i, i + 1000);
    const params: unknown[] = [scope, source];
    const values = chunk.map((r) => {
      params.push(new Date(r.startMs).toISOString(), new Date(r.endMs).toISOString(), r.value);
      const n = params.length;
      return `($1, $2, $${n - 2}, $${n - 1}, $${n})`;
    });
    await db.query(
      `insert into prices (scope, source, start_ts, end_ts, price_eur_per_mwh) values ${values.join(', ')}
       on conflict (scope, source, start_ts) do update set end_ts = excluded.end_ts,
         price_eur_per_mwh = excluded.price_eur_per_mwh, fetched_at = now()`,
      params,
    );
  }
  return rates.length;
}

/** Rates of one scope overlapping `[fromMs, toMs)`, sorted; with several sources per start the first in `preference` wins. */
export async function queryPrices(
  db: Queryable,
  scope: string,
  fromMs: number,
  toMs: number,
  preference: readonly string[] = [],
): Promise<StoredRate[]> {
  const { rows } = await db.query<{ source: string; start_ts: Date | string; end_ts: Date | string; price: number }>(
    `select source, start_ts, end_ts, price_eur_per_mwh as price from prices
      where scope = $1 and end_ts > $2 and start_ts < $3 order by start_ts`,
    [scope, new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
  );
  const rank = (s: string) => {
    const i = preference.indexOf(s);
    return i < 0 ? preference.length : i;
  };
  const byStart = new Map<number, StoredRate>();
  for (const r of rows) {
    const rate: StoredRate = {
      startMs: new Date(r.start_ts).getTime(),
      endMs: new Date(r.end_ts).getTime(),
      value: r.price,
      source: r.source,
    };
    const have = byStart.get(rate.startMs);
    if (have === undefined || rank(rate.source) < rank(have.source)) byStart.set(rate.startMs, rate);
  }
  return [...byStart.values()].sort((a, b) => a.startMs - b.startMs);
}

/** Milliseconds of `[fromMs, toMs)` covered by stored rates of the scope (any source). */
export async function coveredMs(db: Queryable, scope: string, source: string, fromMs: number, toMs: number): Promise<number> {
  const rates = await queryPrices(db, scope, fromMs, toMs, [source]);
  return rates.reduce((sum, r) => sum + Math.max(0, Math.min(r.endMs, toMs) - Math.max(r.startMs, fromMs)), 0);
}

export interface FetchAttempt {
  scope: string;
  source: string;
  /** Local delivery day `YYYY-MM-DD`. */
  deliveryDay: string;
  attempt: number;
  outcome: 'ok' | 'no-data' | 'error';
  points: number;
  detail?: string;
}

export async function recordFetch(db: Queryable, a: FetchAttempt): Promise<void> {
  await db.query(
    `insert into price_fetches (scope, source, delivery_day, attempt, outcome, points, detail) values ($1, $2, $3, $4, $5, $6, $7)`,
    [a.scope, a.source, a.deliveryDay, a.attempt, a.outcome, a.points, a.detail ?? null],
  );
}

export interface FetchLogEntry extends FetchAttempt {
  attemptedAt: string;
}

/** The latest attempts (newest first), optionally for one delivery day. */
export async function listFetches(db: Queryable, scope: string, deliveryDay?: string, limit = 20): Promise<FetchLogEntry[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select scope, source, to_char(delivery_day, 'YYYY-MM-DD') as day, attempt, attempted_at, outcome, points, detail
       from price_fetches where scope = $1 and ($2::date is null or delivery_day = $2::date)
      order by attempted_at desc, id desc limit $3`,
    [scope, deliveryDay ?? null, limit],
  );
  return rows.map((r) => ({
    scope: r.scope as string,
    source: r.source as string,
    deliveryDay: r.day as string,
    attempt: r.attempt as number,
    attemptedAt: new Date(r.attempted_at as string).toISOString(),
    outcome: r.outcome as FetchAttempt['outcome'],
    points: r.points as number,
    ...(r.detail !== null ? { detail: r.detail as string } : {}),
  }));
}
