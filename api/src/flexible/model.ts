/**
 * Flexible-load demands (pure): "flexible load X needs E Wh between availableFrom and deadline"
 * (EV charging is one case), the check of a new demand against the site's energy configuration, the
 * energy delivered so far from power samples, the state a demand is in, and what the planner gets.
 * No I/O, no clock: `nowMs` comes in.
 */
import type { FlexibleDemand } from '../planning/planner.js';
import type { FlexibleLoadAsset, SiteEnergy } from '../site-energy/model.js';

export const DEMAND_STATES = ['open', 'done', 'missed', 'cancelled'] as const;
export type DemandState = (typeof DEMAND_STATES)[number];
/** where delivered energy was measured: the asset's power series, or the setpoints the control agents wrote */
export type DeliveredSource = 'readings' | 'commands';

export interface FlexibleDemandRecord {
  id: string;
  siteId: string;
  assetId: string;
  energyWh: number;
  availableFromMs: number;
  deadlineMs: number;
  createdAtMs: number;
  createdBy: string | null;
  state: DemandState;
  deliveredWh: number;
  deliveredSource: DeliveredSource | null;
  closedAtMs: number | null;
}

/** A demand as asked for (already parsed from the request). */
export interface DemandRequest {
  assetId: string;
  energyKWh: number;
  /** epoch ms or an ISO 8601 string with offset */
  deadline: string | number;
  availableFrom?: string | number | undefined;
}

export interface ValidDemand {
  asset: FlexibleLoadAsset;
  energyWh: number;
  availableFromMs: number;
  deadlineMs: number;
}

export type Validation = { ok: true; value: ValidDemand } | { ok: false; field: string; message: string };

const HOUR_MS = 3_600_000;
/** a demand reaches at most this far ahead */
export const MAX_AHEAD_MS = 7 * 24 * HOUR_MS;
/** delivered within this of the energy counts as done (meter rounding, the plan's 15-minute steps) */
export const DONE_TOLERANCE_WH = 1;

function instant(v: string | number): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
  // an offset is required: local times without one are ambiguous
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(v.trim())) return NaN;
  return Date.parse(v);
}

/** What max power can deliver between from and to, Wh. */
export function reachableWh(maxPowerW: number, fromMs: number, toMs: number): number {
  return Math.max(0, (maxPowerW * (toMs - fromMs)) / HOUR_MS);
}

/** Checks a new demand: the asset is a flexible load of the site, the times make sense, the energy can be delivered. */
export function validateDemand(req: DemandRequest, energy: SiteEnergy, nowMs: number): Validation {
  const asset = energy.flexibleLoads.find((f) => f.id === req.assetId);
  if (!asset) {
    const ids = energy.flexibleLoads.map((f) => f.id);
    return {
      ok: false,
      field: 'assetId',
      message: `"${req.assetId}" is not a flexible load of the site's energy configuration (flexible loads: ${ids.length ? ids.join(', ') : 'none'})`,
    };
  }
  if (!Number.isFinite(req.energyKWh) || req.energyKWh <= 0)
    return { ok: false, field: 'energyKWh', message: `must be a number > 0 (got ${String(req.energyKWh)})` };
  const deadlineMs = instant(req.deadline);
  if (!Number.isFinite(deadlineMs))
    return { ok: false, field: 'deadline', message: `"${String(req.deadline)}" is not an instant (ISO 8601 with offset, or epoch ms)` };
  if (deadlineMs <= nowMs) return { ok: false, field: 'deadline', message: `${new Date(deadlineMs).toISOString()} is not in the future` };
  if (deadlineMs > nowMs + MAX_AHEAD_MS)
    return { ok: false, field: 'deadline', message: `${new Date(deadlineMs).toISOString()} is more than 7 days ahead` };
  let availableFromMs = nowMs;
  if (req.availableFrom !== undefined) {
    availableFromMs = instant(req.availableFrom);
    if (!Number.isFinite(availableFromMs))
      return {
        ok: false,
        field: 'availableFrom',
        message: `"${String(req.availableFrom)}" is not an instant (ISO 8601 with offset, or epoch ms)`,
      };
    if (availableFromMs >= deadlineMs) return { ok: false, field: 'availableFrom', message: 'must be before the deadline' };
  }
  const energyWh = req.energyKWh * 1000;
  const reach = reachableWh(asset.maxPowerW, Math.max(nowMs, availableFromMs), deadlineMs);
  if (energyWh > reach)
    return {
      ok: false,
      field: 'energyKWh',
      message:
        `${req.energyKWh} kWh cannot be delivered by ${new Date(deadlineMs).toISOString()}: at its max power of ` +
        `${asset.maxPowerW} W the flexible load "${asset.id}" reaches at most ${(reach / 1000).toFixed(2)} kWh`,
    };
  return { ok: true, value: { asset, energyWh, availableFromMs, deadlineMs } };
}

/** A power sample: powerW from tsMs on, for at most holdMs (or until the next sample). */
export interface PowerSample {
  tsMs: number;
  powerW: number;
  holdMs: number;
}

/**
 * Energy (Wh) of samples held until the next one (sample-and-hold), each at most its holdMs, counted
 * within [fromMs, toMs). Negative power counts as 0 (a consumer). Samples must be sorted by time; a
 * sample before fromMs covers the start.
 */
export function heldEnergyWh(samples: readonly PowerSample[], fromMs: number, toMs: number): number {
  let wh = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const next = i + 1 < samples.length ? samples[i + 1]!.tsMs : Infinity;
    const end = Math.min(next, s.tsMs + s.holdMs, toMs);
    const start = Math.max(s.tsMs, fromMs);
    if (end > start && Number.isFinite(s.powerW)) wh += (Math.max(0, s.powerW) * (end - start)) / HOUR_MS;
  }
  return wh;
}

/** The window energy counts in: from when the demand could start until now (at most the deadline). */
export function deliveryWindow(d: Pick<FlexibleDemandRecord, 'availableFromMs' | 'createdAtMs' | 'deadlineMs'>, nowMs: number) {
  return { fromMs: Math.max(d.availableFromMs, d.createdAtMs), toMs: Math.min(nowMs, d.deadlineMs) };
}

/** The state of an open demand given what it has been delivered: done, missed (deadline passed) or still open. */
export function stateOf(d: Pick<FlexibleDemandRecord, 'energyWh' | 'deadlineMs'>, deliveredWh: number, nowMs: number): DemandState {
  if (deliveredWh >= d.energyWh - DONE_TOLERANCE_WH) return 'done';
  if (nowMs >= d.deadlineMs) return 'missed';
  return 'open';
}

/** What the planner gets for an open demand: the energy still needed (its id is the asset's, as the optimiser knows it). */
export function toPlannerDemand(d: FlexibleDemandRecord): FlexibleDemand {
  return {
    id: d.assetId,
    energyWh: Math.max(0, d.energyWh - d.deliveredWh),
    deadlineMs: d.deadlineMs,
    availableFromMs: d.availableFromMs,
  };
}
