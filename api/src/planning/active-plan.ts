/** The optimiser's Plan → the ActivePlan the control agents follow (pure). */
import type { ActivePlan, ActivePlanStep } from '../control/model.js';
import type { Plan } from '../optimiser/model.js';
import type { SiteEnergy } from '../site-energy/model.js';

/** The plan's highest planned import in the current billing period (first period of the horizon), W. */
export function plannedPeakW(plan: Plan): number {
  if (plan.peaks.length > 0) return plan.peaks[0]!.planPeakW;
  return plan.steps.reduce((m, s) => Math.max(m, s.gridImportW), 0);
}

/** Optimiser steps → ActivePlan steps (powers in W, SoC in %, PV caps only where the plan curtails). */
export function toActiveSteps(energy: SiteEnergy, plan: Plan): ActivePlanStep[] {
  const cap = new Map(energy.batteries.map((b) => [b.id, b.capacityWh]));
  const curtailable = energy.pv.filter((a) => a.deviceId !== undefined);
  const curtailableRatedW = curtailable.reduce((s, a) => s + a.ratedW, 0);
  const totalRatedW = energy.pv.reduce((s, a) => s + a.ratedW, 0);
  return plan.steps.map((s) => {
    const batteryW: Record<string, number> = {};
    const batterySocPct: Record<string, number> = {};
    for (const b of s.batteries) {
      batteryW[b.id] = round1(b.powerW);
      batterySocPct[b.id] = round3((b.socWh / cap.get(b.id)!) * 100);
    }
    const pvCapW: Record<string, number> = {};
    if (s.pvCurtailedW > 1 && curtailableRatedW > 0) {
      const availableW = s.pvW + s.pvCurtailedW;
      for (const a of curtailable) {
        // each curtailable asset gives up its share of the curtailment
        const shareAvail = (availableW * a.ratedW) / totalRatedW;
        pvCapW[a.id] = round1(Math.max(0, shareAvail - (s.pvCurtailedW * a.ratedW) / curtailableRatedW));
      }
    }
    const flexibleW: Record<string, number> = {};
    for (const f of s.flexibleLoads) flexibleW[f.id] = round1(f.powerW);
    return { startMs: s.startMs, gridW: round1(s.gridImportW - s.gridExportW), batteryW, batterySocPct, pvCapW, flexibleW };
  });
}

const round1 = (v: number) => Math.round(v * 10) / 10;
const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** peakTargetW = max(peak so far, planned peak, the site's peakTargetW). */
export function peakTargetOf(energy: SiteEnergy, plan: Plan, peakSoFarW: number): number {
  return Math.max(peakSoFarW, plannedPeakW(plan), energy.peakTargetW ?? 0);
}

export function toActivePlan(
  meta: { id: string; siteId: string; createdAtMs: number; reason: string },
  energy: SiteEnergy,
  plan: Plan,
  peakSoFarW: number,
): ActivePlan {
  return { ...meta, peakTargetW: peakTargetOf(energy, plan, peakSoFarW), steps: toActiveSteps(energy, plan) };
}
