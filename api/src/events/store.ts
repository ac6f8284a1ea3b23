/**
 * Events: what an operator should know about — anomaly findings on a series, missing day-ahead
 * prices, failed jobs — with a severity, ready for alerts. One event per `dedupKey` and site: a
 * repeated scan that finds the same thing again updates it (end, severity, message) instead of
 * adding a second one, and an acknowledged event stays acknowledged.
 */
import type { Queryable } from '../store/index.js';

export type EventSeverity = 'info' | 'warning' | 'critical';
export const EVENT_SEVERITIES: readonly EventSeverity[] = ['info', 'warning', 'critical'];

export interface NewEvent {
  siteId: string;
  /** Series the event is about, when there is one. */
  seriesId?: number;
  /** Dotted kind, e.g. `anomaly.gap`, `anomaly.deviation`, `prices.missing`. */
  kind: string;
  severity: EventSeverity;
  /** Time range the event covers, UTC epoch ms, half-open. */
  startMs: number;
  endMs: number;
  /** A sentence a person can act on. */
  message: string;
  /** Same key, same event (e.g. `anomaly.gap:12:1718316000000`). */
  dedupKey: string;
}

export interface EventRecord {
  id: number;
  siteId: string;
  seriesId: number | null;
  kind: string;
  severity: EventSeverity;
  start: string;
  end: string;
  message: string;
  createdAt: string;
  updatedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

const iso = (v: unknown): string => new Date(v as string).toISOString();

function toRecord(r: Record<string, unknown>): EventRecord {
  return {
    id: Number(r.id),
    siteId: r.site_id as string,
    seriesId: (r.series_id as number | null) ?? null,
    kind: r.kind as string,
    severity: r.severity as EventSeverity,
    start: iso(r.start_ts),
    end: iso(r.end_ts),
    message: r.message as string,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    acknowledgedAt: r.acknowledged_at === null || r.acknowledged_at === undefined ? null : iso(r.acknowledged_at),
    acknowledgedBy: (r.acknowledged_by as string | null) ?? null,
  };
}

const COLUMNS =
  'id, site_id, series_id, kind, severity, start_ts, end_ts, message, created_at, updated_at, acknowledged_at, acknowledged_by';

/** Listeners per database (the live API): told about every event upsertEvents/acknowledgeEvent created or changed on it. */
const changeListeners = new WeakMap<object, Set<(event: EventRecord) => void>>();

/** Calls `listener` with each event created, updated or acknowledged through this database handle; returns the unsubscribe. */
export function onEventChange(db: Queryable, listener: (event: EventRecord) => void): () => void {
  let set = changeListeners.get(db);
  if (!set) changeListeners.set(db, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

function changed(db: Queryable, row: Record<string, unknown> | undefined): void {
  if (row && changeListeners.has(db)) notifyEventChange(db, toRecord(row));
}

/** For changes made in a transaction (`tx` has no listeners): call with the database handle after the commit. */
export function notifyEventChange(db: Queryable, event: EventRecord): void {
  for (const l of changeListeners.get(db) ?? []) l(event);
}

/**
 * Inserts new events and updates known ones (same site and dedup key): the range grows, the
 * severity never drops, the message is the latest. Returns how many were new.
 */
export async function upsertEvents(db: Queryable, events: readonly NewEvent[]): Promise<{ created: number; updated: number }> {
  let created = 0;
  let updated = 0;
  for (const e of events) {
    const { rows } = await db.query<{ inserted: boolean }>(
      `insert into events (site_id, series_id, kind, severity, start_ts, end_ts, message, dedup_key)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (site_id, dedup_key) do update set
         end_ts = greatest(events.end_ts, excluded.end_ts),
         start_ts = least(events.start_ts, excluded.start_ts),
         severity = case when array_position(array['info','warning','critical'], excluded.severity)
                             > array_position(array['info','warning','critical'], events.severity)
                         then excluded.severity else events.severity end,
         message = excluded.message,
         updated_at = now()
       where events.end_ts <> excluded.end_ts or events.message <> excluded.message or events.severity <> excluded.severity
       returning (xmax = 0) as inserted, ${COLUMNS}`,
      [
        e.siteId,
        e.seriesId ?? null,
        e.kind,
        e.severity,
        new Date(e.startMs).toISOString(),
        new Date(e.endMs).toISOString(),
        e.message,
        e.dedupKey,
      ],
    );
    changed(db, rows[0]);
    if (rows[0]?.inserted === true) created++;
    else if (rows.length > 0) updated++;
  }
  return { created, updated };
}

export interface EventQuery {
  siteId: string;
  /** Events whose range ends after this (UTC ms). */
  fromMs?: number;
  /** Events whose range starts before this (UTC ms). */
  toMs?: number;
  minSeverity?: EventSeverity;
  kindPrefix?: string;
  unacknowledgedOnly?: boolean;
  limit?: number;
}

/** Newest first (by start of the range, then id). */
export async function listEvents(db: Queryable, q: EventQuery): Promise<EventRecord[]> {
  const where = ['site_id = $1'];
  const params: unknown[] = [q.siteId];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.fromMs !== undefined) add('end_ts > ?', new Date(q.fromMs).toISOString());
  if (q.toMs !== undefined) add('start_ts < ?', new Date(q.toMs).toISOString());
  if (q.minSeverity !== undefined) add('severity = any(?)', EVENT_SEVERITIES.slice(EVENT_SEVERITIES.indexOf(q.minSeverity)));
  if (q.kindPrefix !== undefined)
    add(
      `kind like ? || '%'`,
      q.kindPrefix.replace(/[%_\\]/g, (c) => `\\${c}`),
    );
  if (q.unacknowledgedOnly === true) where.push('acknowledged_at is null');
  params.push(q.limit ?? 100);
  const { rows } = await db.query(
    `select ${COLUMNS} from events where ${where.join(' and ')} order by start_ts desc, id desc limit $${params.length}`,
    params,
  );
  return rows.map(toRecord);
}

/** Marks an event acknowledged (idempotent: the first acknowledgement is kept). Undefined when the site has no such event. */
export async function acknowledgeEvent(db: Queryable, siteId: string, id: number, by: string): Promise<EventRecord | undefined> {
  const { rows } = await db.query(
    `update events set acknowledged_at = coalesce(acknowledged_at, now()), acknowledged_by = coalesce(acknowledged_by, $3)
      where site_id = $1 and id = $2 returning ${COLUMNS}`,
    [siteId, id, by],
  );
  changed(db, rows[0]);
  return rows[0] === undefined ? undefined : toRecord(rows[0]);
}
