/**
 * Flexible-load demands storage (adapter): table `flexible_demands`. Creating and cancelling are
 * audited in the same transaction; `refreshDemands` measures what open demands have been delivered
 * and moves them to done/missed (audited as the system).
 *
 * Delivered energy: from the asset's powerSeries readings when the SiteEnergy names one (each
 * reading held until the next, at most READING_HOLD_MS: a gap in the data counts as nothing
 * delivered); otherwise from the control agents' written setpoints (control_commands with result
 * ok, each held until the next one, at most its revert timeout). The second is what was asked of
 * the charger, not what it drew: an EV that stops early is not seen.
 */
import { randomUUID } from 'node:crypto';
import { recordAudit, SYSTEM, type Actor } from '../audit/index.js';
import type { SiteEnergy } from '../site-energy/model.js';
import type { Database, Queryable } from '../store/index.js';
import {
  deliveryWindow,
  heldEnergyWh,
  stateOf,
  type DeliveredSource,
  type DemandState,
  type FlexibleDemandRecord,
  type PowerSample,
  type ValidDemand,
} from './model.js';

/** a reading counts for at most this long (a gap in the data counts as nothing delivered) */
export const READING_HOLD_MS = 5 * 60_000;
/** closed demands shown by list: the last days */
const RECENT_MS = 7 * 86_400_000;

export class DemandError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Row {
  id: string;
  site_id: string;
  asset_id: string;
  energy_wh: number;
  available_from: Date | string;
  deadline: Date | string;
  created_at: Date | string;
  created_by: string | null;
  state: DemandState;
  delivered_wh: number;
  delivered_source: DeliveredSource | null;
  closed_at: Date | string | null;
}

const COLUMNS =
  'id, site_id, asset_id, energy_wh, available_from, deadline, created_at, created_by, state, delivered_wh, delivered_source, closed_at';
const ms = (v: Date | string) => new Date(v).getTime();
const iso = (v: number) => new Date(v).toISOString();

function toRecord(r: Row): FlexibleDemandRecord {
  return {
    id: r.id,
    siteId: r.site_id,
    assetId: r.asset_id,
    energyWh: Number(r.energy_wh),
    availableFromMs: ms(r.available_from),
    deadlineMs: ms(r.deadline),
    createdAtMs: ms(r.created_at),
    createdBy: r.created_by,
    state: r.state,
    deliveredWh: Number(r.delivered_wh),
    deliveredSource: r.delivered_source,
    closedAtMs: r.closed_at === null ? null : ms(r.closed_at),
  };
}

function actorName(a: Actor): string {
  return a.name ?? a.id ?? a.type;
}

export interface AuditContext {
  actor: Actor;
  requestId?: string;
  ip?: string;
}

/** Stores a validated demand (createdAt = nowMs); 409 when the asset already has an open one. Audited `flexible.demand.create`. */
export async function createDemand(
  db: Database,
  siteId: string,
  v: ValidDemand,
  ctx: AuditContext,
  nowMs: number,
): Promise<FlexibleDemandRecord> {
  return db.transaction(async (tx) => {
    const open = await tx.query<{ id: string }>(`select id from flexible_demands where site_id = $1 and asset_id = $2 and state = 'open'`, [
      siteId,
      v.asset.id,
    ]);
    if (open.rows[0])
      throw new DemandError(
        409,
        'demand_open',
        `assetId: flexible load "${v.asset.id}" already has an open demand (${open.rows[0].id}); cancel it first`,
      );
    const { rows } = await tx.query<Row>(
      `insert into flexible_demands (id, site_id, asset_id, energy_wh, available_from, deadline, created_at, created_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${COLUMNS}`,
      [randomUUID(), siteId, v.asset.id, v.energyWh, iso(v.availableFromMs), iso(v.deadlineMs), iso(nowMs), actorName(ctx.actor)],
    );
    const d = toRecord(rows[0]!);
    await recordAudit(tx, {
      ...ctx,
      action: 'flexible.demand.create',
      target: `asset:${siteId}/${d.assetId}`,
      siteId,
      before: null,
      after: { id: d.id, energyWh: d.energyWh, availableFrom: iso(d.availableFromMs), deadline: iso(d.deadlineMs) },
    });
    return d;
  });
}

/** Cancels an open demand (404 unknown, 409 not open). Audited `flexible.demand.cancel`. */
export async function cancelDemand(
  db: Database,
  siteId: string,
  id: string,
  ctx: AuditContext,
  nowMs: number,
): Promise<FlexibleDemandRecord> {
  return db.transaction(async (tx) => {
    const prior = await tx.query<Row>(`select ${COLUMNS} from flexible_demands where site_id = $1 and id = $2 for update`, [siteId, id]);
    if (!prior.rows[0]) throw new DemandError(404, 'not_found', `demandId: no flexible demand "${id}" on site ${siteId}`);
    if (prior.rows[0].state !== 'open')
      throw new DemandError(409, 'demand_closed', `demandId: demand "${id}" is ${prior.rows[0].state}, not open; nothing to cancel`);
    const { rows } = await tx.query<Row>(
      `update flexible_demands set state = 'cancelled', closed_at = $3 where site_id = $1 and id = $2 returning ${COLUMNS}`,
      [siteId, id, iso(nowMs)],
    );
    const d = toRecord(rows[0]!);
    await recordAudit(tx, {
      ...ctx,
      action: 'flexible.demand.cancel',
      target: `asset:${siteId}/${d.assetId}`,
      siteId,
      before: { id, state: 'open', deliveredWh: d.deliveredWh },
      after: { id, state: 'cancelled' },
    });
    return d;
  });
}

/** Open and missed demands, and the ones closed in the last 7 days, newest first. */
export async function listDemands(db: Queryable, siteId: string, nowMs: number): Promise<FlexibleDemandRecord[]> {
  const { rows } = await db.query<Row>(
    `select ${COLUMNS} from flexible_demands where site_id = $1 and (state = 'open' or created_at >= $2 or closed_at >= $2)
      order by created_at desc limit 200`,
    [siteId, iso(nowMs - RECENT_MS)],
  );
  return rows.map(toRecord);
}

async function samplesFromReadings(db: Queryable, siteId: string, seriesKey: string, fromMs: number, toMs: number): Promise<PowerSample[]> {
  const { rows } = await db.query<{ ts: Date | string; value: number }>(
    `(select r.ts, r.value from readings r join series s on s.id = r.series_id
        where s.site_id = $1 and s.key = $2 and r.ts < $3 order by r.ts desc limit 1)
     union all
     (select r.ts, r.value from readings r join series s on s.id = r.series_id
        where s.site_id = $1 and s.key = $2 and r.ts >= $3 and r.ts < $4)
     order by ts`,
    [siteId, seriesKey, iso(fromMs), iso(toMs)],
  );
  return rows.map((r) => ({ tsMs: ms(r.ts), powerW: Number(r.value), holdMs: READING_HOLD_MS }));
}

async function samplesFromCommands(db: Queryable, siteId: string, assetId: string, fromMs: number, toMs: number): Promise<PowerSample[]> {
  const { rows } = await db.query<{ at: Date | string; written_w: number; revert_timeout_s: number }>(
    `(select at, written_w, revert_timeout_s from control_commands
        where site_id = $1 and asset_id = $2 and result = 'ok' and at < $3 order by at desc limit 1)
     union all
     (select at, written_w, revert_timeout_s from control_commands
        where site_id = $1 and asset_id = $2 and result = 'ok' and at >= $3 and at < $4)
     order by at`,
    [siteId, assetId, iso(fromMs), iso(toMs)],
  );
  return rows.map((r) => ({ tsMs: ms(r.at), powerW: Number(r.written_w), holdMs: Number(r.revert_timeout_s) * 1000 }));
}

/** Energy delivered to an open demand so far (Wh) and where it was measured. */
export async function deliveredWh(
  db: Queryable,
  energy: SiteEnergy,
  d: FlexibleDemandRecord,
  nowMs: number,
): Promise<{ wh: number; source: DeliveredSource }> {
  const { fromMs, toMs } = deliveryWindow(d, nowMs);
  if (toMs <= fromMs) return { wh: 0, source: 'readings' };
  const asset = energy.flexibleLoads.find((f) => f.id === d.assetId);
  if (asset?.powerSeries) {
    const samples = await samplesFromReadings(db, d.siteId, asset.powerSeries, fromMs, toMs);
    return { wh: heldEnergyWh(samples, fromMs, toMs), source: 'readings' };
  }
  const samples = await samplesFromCommands(db, d.siteId, d.assetId, fromMs, toMs);
  return { wh: heldEnergyWh(samples, fromMs, toMs), source: 'commands' };
}

/**
 * Measures the open demands of the site at nowMs, stores what was delivered, moves them to done or
 * missed (audited as the system, `flexible.demand.done` / `.missed`), and returns the ones still open.
 * A demand whose asset is no longer a flexible load of the configuration stays open and is left out
 * of the plan by the planner (with a warning).
 */
export async function refreshDemands(db: Database, siteId: string, energy: SiteEnergy, nowMs: number): Promise<FlexibleDemandRecord[]> {
  const { rows } = await db.query<Row>(
    `select ${COLUMNS} from flexible_demands where site_id = $1 and state = 'open' order by created_at`,
    [siteId],
  );
  const open: FlexibleDemandRecord[] = [];
  for (const d of rows.map(toRecord)) {
    const got = await deliveredWh(db, energy, d, nowMs);
    const next = stateOf(d, got.wh, nowMs);
    const updated: FlexibleDemandRecord = {
      ...d,
      deliveredWh: got.wh,
      deliveredSource: got.source,
      state: next,
      closedAtMs: next === 'open' ? null : nowMs,
    };
    await db.transaction(async (tx) => {
      // only while still open: a cancel in between wins
      const res = await tx.query<{ id: string }>(
        `update flexible_demands set delivered_wh = $3, delivered_source = $4, state = $5, closed_at = $6
          where site_id = $1 and id = $2 and state = 'open' returning id`,
        [siteId, d.id, got.wh, got.source, next, next === 'open' ? null : iso(nowMs)],
      );
      if (res.rows.length > 0 && next !== 'open')
        await recordAudit(tx, {
          actor: SYSTEM,
          action: `flexible.demand.${next}`,
          target: `asset:${siteId}/${d.assetId}`,
          siteId,
          before: { id: d.id, state: 'open' },
          after: { id: d.id, state: next, energyWh: d.energyWh, deliveredWh: Math.round(got.wh), deliveredSource: got.source },
        });
    });
    if (next === 'open') open.push(updated);
  }
  return open;
}
