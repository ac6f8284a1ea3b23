/**
 * The safety envelope (pure): the ONE place every requested setpoint passes before a write —
 * plan, rules, peak shaving, grid signals and manual overrides alike. It clamps the request into
 * the intersection of every limit and names each limit that moved it.
 *
 * Powers in W. Battery: + discharge / − charge. PV: an output cap (≥ 0). Flexible load: consumption (≥ 0).
 * Grid: + import / − export.
 *
 * Limits, applied from the softest to the hardest (a later one wins when two cannot both hold):
 *   1. ramp          |written − last written| ≤ maxRampWPerS × seconds since the last write
 *   2. connection    the asset may not push the grid beyond importLimitW / exportLimitW (it need not
 *                    pull it back inside: that is peak shaving's job, not a limit)
 *   3. grid signals  §14a: the asset's share of the aggregate controllable power (charging / consumption);
 *                    redispatch: PV cap and feed-in cap
 *   4. SoC           no discharge at/below socMinPct, no charge at/above socMaxPct
 *   5. asset         the asset's power range (SiteEnergy)
 *   6. device        the device setpoint's [min, max] (what checkSetpointWrite would refuse)
 * Ramp is the only limit that can be overridden by a harder one (e.g. a battery discharging at full
 * power reaching socMin must stop at once); then 'ramp-overridden' is reported beside the hard limit.
 */

export type EnvelopeLimit =
  | 'device-min'
  | 'device-max'
  | 'asset-max-charge'
  | 'asset-max-discharge'
  | 'asset-max-power'
  | 'asset-min-power'
  | 'soc-min'
  | 'soc-max'
  | 'section14a'
  | 'redispatch-pv'
  | 'redispatch-export'
  | 'import-limit'
  | 'export-limit'
  | 'ramp'
  | 'ramp-overridden'
  | 'not-finite';

interface Common {
  requestedW: number;
  /** the device setpoint range, expressed in W of this asset's convention */
  device: { minW: number; maxW: number };
  /** measured grid power, W (+ import) */
  gridW: number;
  /** measured power of this asset in its own convention (battery + discharge, PV output, flexible consumption), W */
  measuredW: number;
  connection: { importLimitW: number; exportLimitW: number };
  /** ramp limit, W/s; undefined = none */
  maxRampWPerS?: number;
  /** the last value written to this asset and when (epoch ms); undefined = none known */
  last?: { writtenW: number; atMs: number };
  nowMs: number;
}

export interface BatteryEnvelopeInput extends Common {
  kind: 'battery';
  maxChargeW: number;
  maxDischargeW: number;
  socPct: number;
  socMinPct: number;
  socMaxPct: number;
  /** §14a: most this battery may charge now (its share of the aggregate limit), W; undefined = no signal */
  section14aMaxW?: number;
  /** redispatch: feed-in at most this, W (tightens the export limit) */
  maxExportPowerW?: number;
}

export interface PvEnvelopeInput extends Common {
  kind: 'pv';
  ratedW: number;
  /** redispatch: PV output at most this, W */
  maxPvPowerW?: number;
  maxExportPowerW?: number;
}

export interface FlexibleEnvelopeInput extends Common {
  kind: 'flexible';
  minPowerW: number;
  maxPowerW: number;
  section14aMaxW?: number;
}

export type EnvelopeInput = BatteryEnvelopeInput | PvEnvelopeInput | FlexibleEnvelopeInput;

export interface EnvelopeResult {
  writtenW: number;
  /** the limits that moved the request, in the order they acted */
  clampedBy: EnvelopeLimit[];
  /** the hard bounds the result lies in (without ramp), W — for tests and the agents API */
  bounds: { loW: number; hiW: number };
}

interface Bound {
  lo: number;
  hi: number;
  loBy: EnvelopeLimit;
  hiBy: EnvelopeLimit;
}

/** hard limits of the asset, from the hardest (device) to the softest (connection), as [lo, hi] pairs */
function hardBounds(i: EnvelopeInput): Bound[] {
  const b: Bound[] = [];
  const exportLimitW = Math.min(
    i.connection.exportLimitW,
    'maxExportPowerW' in i && i.maxExportPowerW !== undefined ? i.maxExportPowerW : Infinity,
  );
  const exportBy: EnvelopeLimit =
    'maxExportPowerW' in i && i.maxExportPowerW !== undefined && i.maxExportPowerW < i.connection.exportLimitW
      ? 'redispatch-export'
      : 'export-limit';
  b.push({ lo: i.device.minW, hi: i.device.maxW, loBy: 'device-min', hiBy: 'device-max' });
  switch (i.kind) {
    case 'battery': {
      b.push({ lo: -i.maxChargeW, hi: i.maxDischargeW, loBy: 'asset-max-charge', hiBy: 'asset-max-discharge' });
      b.push({
        lo: i.socPct >= i.socMaxPct ? 0 : -Infinity,
        hi: i.socPct <= i.socMinPct ? 0 : Infinity,
        loBy: 'soc-max',
        hiBy: 'soc-min',
      });
      if (i.section14aMaxW !== undefined)
        b.push({ lo: -Math.max(0, i.section14aMaxW), hi: Infinity, loBy: 'section14a', hiBy: 'section14a' });
      // the grid without this battery: base; with it: base − b
      const baseW = i.gridW + i.measuredW;
      b.push({
        lo: -Math.max(0, i.connection.importLimitW - baseW),
        hi: Math.max(0, baseW + exportLimitW),
        loBy: 'import-limit',
        hiBy: exportBy,
      });
      break;
    }
    case 'pv': {
      b.push({ lo: 0, hi: i.ratedW, loBy: 'asset-min-power', hiBy: 'asset-max-power' });
      if (i.maxPvPowerW !== undefined)
        b.push({ lo: -Infinity, hi: Math.max(0, i.maxPvPowerW), loBy: 'redispatch-pv', hiBy: 'redispatch-pv' });
      // the grid without this PV: base; with output p: base − p ≥ −exportLimit
      const baseW = i.gridW + i.measuredW;
      b.push({ lo: -Infinity, hi: Math.max(0, baseW + exportLimitW), loBy: exportBy, hiBy: exportBy });
      break;
    }
    case 'flexible': {
      b.push({ lo: 0, hi: i.maxPowerW, loBy: 'asset-min-power', hiBy: 'asset-max-power' });
      if (i.section14aMaxW !== undefined)
        b.push({ lo: -Infinity, hi: Math.max(0, i.section14aMaxW), loBy: 'section14a', hiBy: 'section14a' });
      const baseW = i.gridW - i.measuredW;
      b.push({ lo: -Infinity, hi: Math.max(0, i.connection.importLimitW - baseW), loBy: 'import-limit', hiBy: 'import-limit' });
      break;
    }
  }
  return b;
}

/**
 * Clamps one request into the envelope. Deterministic and total: any finite or non-finite input
 * gives a finite result inside every hard limit (a non-finite request becomes 0 W, 'not-finite').
 */
export function clampToEnvelope(i: EnvelopeInput): EnvelopeResult {
  const clampedBy: EnvelopeLimit[] = [];
  const add = (l: EnvelopeLimit) => {
    if (!clampedBy.includes(l)) clampedBy.push(l);
  };
  let w = i.requestedW;
  if (!Number.isFinite(w)) {
    w = 0;
    add('not-finite');
  }
  // the hard bounds, intersected from the softest (connection) to the hardest (device): a harder bound
  // that conflicts with a softer one wins
  const bounds = hardBounds(i);
  let lo = -Infinity;
  let hi = Infinity;
  let loBy: EnvelopeLimit = 'device-min';
  let hiBy: EnvelopeLimit = 'device-max';
  for (const b of [...bounds].reverse()) {
    // a harder bound replaces a softer one it conflicts with
    const nlo = Math.max(lo, b.lo);
    const nhi = Math.min(hi, b.hi);
    if (nlo <= nhi) {
      if (b.lo > lo) loBy = b.loBy;
      if (b.hi < hi) hiBy = b.hiBy;
      lo = nlo;
      hi = nhi;
    } else {
      // conflict: keep this (harder) bound and whatever of the softer range fits inside it
      lo = Math.max(b.lo, Math.min(lo, b.hi));
      hi = Math.min(b.hi, Math.max(hi, b.lo));
      if (lo > hi) [lo, hi] = [b.lo, b.hi];
      loBy = b.loBy;
      hiBy = b.hiBy;
    }
  }
  // flexible loads: 0 (off) or [minPowerW, maxPowerW]
  if (i.kind === 'flexible' && i.minPowerW > 0 && hi < i.minPowerW) {
    hi = Math.max(Math.min(hi, 0), lo);
  }
  // ramp: from the last written value; the hard bounds win where the two do not meet
  let target = w;
  let ramp: { lo: number; hi: number } | undefined;
  if (i.maxRampWPerS !== undefined && i.last !== undefined) {
    const stepW = i.maxRampWPerS * Math.max(0, (i.nowMs - i.last.atMs) / 1000);
    ramp = { lo: i.last.writtenW - stepW, hi: i.last.writtenW + stepW };
    if (target < ramp.lo || target > ramp.hi) {
      target = Math.min(ramp.hi, Math.max(ramp.lo, target));
      add('ramp');
    }
  }
  if (target < lo) {
    add(loBy);
    target = lo;
  } else if (target > hi) {
    add(hiBy);
    target = hi;
  }
  if (i.kind === 'flexible' && i.minPowerW > 0 && target > 0 && target < i.minPowerW) {
    // below the running minimum: off, or the minimum when it fits
    target = i.minPowerW <= hi ? i.minPowerW : 0;
    add('asset-min-power');
  }
  if (ramp && (target < ramp.lo - 1e-6 || target > ramp.hi + 1e-6)) add('ramp-overridden');
  if (Object.is(target, -0)) target = 0;
  return { writtenW: target, clampedBy, bounds: { loW: lo, hiW: hi } };
}

/** Every hard limit of the input as a predicate (tests and the week run check written values with it). */
export function violatedLimits(i: EnvelopeInput, writtenW: number, toleranceW = 1e-6): EnvelopeLimit[] {
  const out: EnvelopeLimit[] = [];
  for (const b of hardBounds(i)) {
    if (writtenW < b.lo - toleranceW) out.push(b.loBy);
    if (writtenW > b.hi + toleranceW) out.push(b.hiBy);
  }
  return out;
}
