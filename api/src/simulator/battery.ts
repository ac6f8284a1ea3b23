/**
 * The simulated battery, pure: one step of a stationary battery behind its inverter.
 * Convention: `powerW` is AC power at the inverter terminals, positive = discharge (the battery
 * delivers), negative = charge — the sign of an inverter's `W` in SunSpec model 103.
 *
 * Energy bookkeeping per step (all Wh), exact by construction:
 *   stored_after = stored_before + charge_ac × η_charge − discharge_ac / η_discharge − self_discharge
 *   loss         = charge_ac × (1 − η_charge) + discharge_ac × (1/η_discharge − 1)
 * so charge_ac − discharge_ac = Δstored + loss + self_discharge (the conservation test sums this).
 */

export interface BatteryParams {
  /** energy at 100 % SoC, Wh (the SoC in % refers to it) */
  capacityWh: number;
  /** AC charge power limit, W (> 0) */
  maxChargeW: number;
  /** AC discharge power limit, W (> 0) */
  maxDischargeW: number;
  /** one-way efficiency AC→stored, 0…1 */
  chargeEfficiency: number;
  /** one-way efficiency stored→AC, 0…1 */
  dischargeEfficiency: number;
  /** the battery management refuses to discharge below / charge above these SoC, % */
  socMinPct: number;
  socMaxPct: number;
  /** self-discharge, % of the stored energy per day (0 = none); it may take the SoC below socMinPct, as in a real cell */
  selfDischargePctPerDay: number;
}

/** The reference site's battery (../shared/guide/reference-site.md): 1,000 kWh, 500 kW, 94 % one-way, SoC 5–95 %. */
export const REFERENCE_BATTERY: BatteryParams = {
  capacityWh: 1_000_000,
  maxChargeW: 500_000,
  maxDischargeW: 500_000,
  chargeEfficiency: 0.94,
  dischargeEfficiency: 0.94,
  socMinPct: 5,
  socMaxPct: 95,
  selfDischargePctPerDay: 0,
};

export interface BatteryStep {
  /** AC power actually delivered (+) or absorbed (−), W, after power and SoC limits */
  powerW: number;
  chargeW: number;
  dischargeW: number;
  storedWhBefore: number;
  storedWhAfter: number;
  /** conversion losses, Wh */
  lossWh: number;
  selfDischargeWh: number;
  /** true when the SoC or power limits cut the requested power */
  limited: boolean;
}

/** Checks the parameters; throws one line naming the first bad field. */
export function validateBattery(p: BatteryParams): void {
  const bad = (field: string, why: string): never => {
    throw new Error(`battery: ${field} ${why}`);
  };
  if (!(p.capacityWh > 0)) bad('capacityWh', `must be > 0 (got ${p.capacityWh})`);
  if (!(p.maxChargeW > 0)) bad('maxChargeW', `must be > 0 (got ${p.maxChargeW})`);
  if (!(p.maxDischargeW > 0)) bad('maxDischargeW', `must be > 0 (got ${p.maxDischargeW})`);
  for (const f of ['chargeEfficiency', 'dischargeEfficiency'] as const)
    if (!(p[f] > 0 && p[f] <= 1)) bad(f, `must be in (0, 1] (got ${p[f]})`);
  if (!(p.socMinPct >= 0 && p.socMinPct < p.socMaxPct && p.socMaxPct <= 100))
    bad('socMinPct/socMaxPct', `must satisfy 0 ≤ min < max ≤ 100 (got ${p.socMinPct}/${p.socMaxPct})`);
  if (!(p.selfDischargePctPerDay >= 0 && p.selfDischargePctPerDay < 100))
    bad('selfDischargePctPerDay', `must be in [0, 100) (got ${p.selfDischargePctPerDay})`);
}

/** One step of `dtMs` at the requested AC power (clamped to the power limits and the SoC window). */
export function stepBattery(p: BatteryParams, storedWh: number, requestedW: number, dtMs: number): BatteryStep {
  const dtH = dtMs / 3_600_000;
  const selfDischargeWh = Math.min(storedWh, (storedWh * p.selfDischargePctPerDay * dtMs) / (100 * 86_400_000));
  let stored = storedWh - selfDischargeWh;
  const minWh = (p.capacityWh * p.socMinPct) / 100;
  const maxWh = (p.capacityWh * p.socMaxPct) / 100;
  const wanted = Math.max(-p.maxChargeW, Math.min(p.maxDischargeW, Number.isFinite(requestedW) ? requestedW : 0));
  let chargeW = 0;
  let dischargeW = 0;
  let lossWh = 0;
  if (dtH > 0 && wanted > 0) {
    const availableAcW = (Math.max(0, stored - minWh) * p.dischargeEfficiency) / dtH;
    dischargeW = Math.min(wanted, availableAcW);
    const acWh = dischargeW * dtH;
    stored -= acWh / p.dischargeEfficiency;
    lossWh = acWh / p.dischargeEfficiency - acWh;
  } else if (dtH > 0 && wanted < 0) {
    const roomAcW = Math.max(0, maxWh - stored) / p.chargeEfficiency / dtH;
    chargeW = Math.min(-wanted, roomAcW);
    const acWh = chargeW * dtH;
    stored += acWh * p.chargeEfficiency;
    lossWh = acWh - acWh * p.chargeEfficiency;
  }
  const powerW = dischargeW - chargeW;
  return {
    powerW,
    chargeW,
    dischargeW,
    storedWhBefore: storedWh,
    storedWhAfter: stored,
    lossWh,
    selfDischargeWh,
    limited: Math.abs(powerW - (Number.isFinite(requestedW) ? requestedW : 0)) > 1e-9,
  };
}
