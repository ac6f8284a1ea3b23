/**
 * SQL of the tables `overrides` and `grid_signals` (migration 20261127081000). Rows ↔ the
 * contract types of control/model.ts; epoch ms in, timestamptz in the database.
 */
import type { Queryable } from '../../store/index.js';
import type { GridSignal, Override } from '../model.js';

const ms = (v: unknown): number => new Date(v as string).getTime();
const optMs = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : ms(v));
const optNum = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const optStr = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
const iso = (v: number | undefined): string | null => (v === undefined ? null : new Date(v).toISOString());

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function overrideOf(r: Record<string, unknown>): Override {
  return defined({
    id: String(r.id),
    siteId: String(r.site_id),
    assetId: String(r.asset_id),
    setpointW: Number(r.setpoint_w),
    createdAtMs: ms(r.created_at),
    expiresAtMs: ms(r.expires_at),
    userId: optStr(r.user_id),
    userName: optStr(r.user_name),
    reason: optStr(r.reason),
    releasedAtMs: optMs(r.released_at),
  });
}

export function signalOf(r: Record<string, unknown>): GridSignal {
  return defined({
    id: String(r.id),
    siteId: String(r.site_id),
    kind: r.kind as GridSignal['kind'],
    fromMs: ms(r.from_at),
    toMs: ms(r.to_at),
    maxControllablePowerW: optNum(r.max_controllable_power_w),
    maxPvPowerW: optNum(r.max_pv_power_w),
    maxExportPowerW: optNum(r.max_export_power_w),
    targetGridW: optNum(r.target_grid_w),
    source: r.source as GridSignal['source'],
    reference: optStr(r.reference),
    receivedAtMs: ms(r.received_at),
    cancelledAtMs: optMs(r.cancelled_at),
  });
}

/** Overrides not released and not expired at nowMs (all sites). */
export async function loadActiveOverrides(db: Queryable, nowMs: number): Promise<Override[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    'select * from overrides where released_at is null and expires_at > $1 order by created_at',
    [iso(nowMs)],
  );
  return rows.map(overrideOf);
}

/** Signals not cancelled and not over at nowMs (in force or upcoming; all sites). */
export async function loadOpenSignals(db: Queryable, nowMs: number): Promise<GridSignal[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    'select * from grid_signals where cancelled_at is null and to_at > $1 order by from_at',
    [iso(nowMs)],
  );
  return rows.map(signalOf);
}

export async function insertOverride(db: Queryable, o: Override): Promise<void> {
  await db.query(
    `insert into overrides (id, site_id, asset_id, setpoint_w, created_at, expires_at, user_id, user_name, reason)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      o.id,
      o.siteId,
      o.assetId,
      o.setpointW,
      iso(o.createdAtMs),
      iso(o.expiresAtMs),
      o.userId ?? null,
      o.userName ?? null,
      o.reason ?? null,
    ],
  );
}

export async function releaseOverrideRow(db: Queryable, id: string, atMs: number): Promise<void> {
  await db.query('update overrides set released_at = $2 where id = $1 and released_at is null', [id, iso(atMs)]);
}

/** Newest first: active ones and the history (released or expired). */
export async function listOverrides(db: Queryable, siteId: string, limit: number): Promise<Override[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    'select * from overrides where site_id = $1 order by created_at desc, id limit $2',
    [siteId, limit],
  );
  return rows.map(overrideOf);
}

export async function insertSignal(db: Queryable, s: GridSignal): Promise<void> {
  await db.query(
    `insert into grid_signals (id, site_id, kind, from_at, to_at, max_controllable_power_w, max_pv_power_w, max_export_power_w,
                               target_grid_w, source, reference, received_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      s.id,
      s.siteId,
      s.kind,
      iso(s.fromMs),
      iso(s.toMs),
      s.maxControllablePowerW ?? null,
      s.maxPvPowerW ?? null,
      s.maxExportPowerW ?? null,
      s.targetGridW ?? null,
      s.source,
      s.reference ?? null,
      iso(s.receivedAtMs),
    ],
  );
}

export async function signalByReference(db: Queryable, siteId: string, reference: string): Promise<GridSignal | undefined> {
  const { rows } = await db.query<Record<string, unknown>>('select * from grid_signals where site_id = $1 and reference = $2', [
    siteId,
    reference,
  ]);
  return rows[0] ? signalOf(rows[0]) : undefined;
}

export async function signalById(db: Queryable, siteId: string, id: string): Promise<GridSignal | undefined> {
  const { rows } = await db.query<Record<string, unknown>>('select * from grid_signals where site_id = $1 and id = $2', [siteId, id]);
  return rows[0] ? signalOf(rows[0]) : undefined;
}

export async function cancelSignalRow(db: Queryable, id: string, atMs: number): Promise<void> {
  await db.query('update grid_signals set cancelled_at = $2 where id = $1 and cancelled_at is null', [id, iso(atMs)]);
}

export async function extendSignalRow(db: Queryable, id: string, toMs: number): Promise<void> {
  await db.query('update grid_signals set to_at = $2 where id = $1', [id, iso(toMs)]);
}

/** Signals overlapping [fromMs, toMs), newest first. */
export async function listSignals(db: Queryable, siteId: string, fromMs: number, toMs: number, limit: number): Promise<GridSignal[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select * from grid_signals where site_id = $1 and to_at > $2 and from_at < $3
      order by from_at desc, id limit $4`,
    [siteId, iso(fromMs), iso(toMs), limit],
  );
  return rows.map(signalOf);
}
